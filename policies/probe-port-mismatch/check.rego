# METADATA
# scope: subpackages
# title: Probe port is not declared by its container
# custom:
#   id: probe-port-mismatch
#   severity: high
#   family: probes
package rampart.checks.probe_port_mismatch
