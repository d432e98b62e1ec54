# METADATA
# scope: subpackages
# title: Port bound twice
# custom:
#   id: port-conflict
#   severity: high
#   family: ports
package rampart.checks.port_conflict
