# METADATA
# scope: subpackages
# title: Replicated workload without topology spread
# custom:
#   id: missing-topology-spread
#   severity: low
#   family: spread
package rampart.checks.missing_topology_spread
