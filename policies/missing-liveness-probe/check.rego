# METADATA
# scope: subpackages
# title: Container has no liveness probe
# custom:
#   id: missing-liveness-probe
#   severity: medium
#   family: probes
package rampart.checks.missing_liveness_probe
