# METADATA
# scope: subpackages
# title: Invalid topology spread constraint
# custom:
#   id: invalid-topology-spread
#   severity: high
#   family: spread
package rampart.checks.invalid_topology_spread
