# METADATA
# scope: subpackages
# title: NetworkPolicy selects no workload
# custom:
#   id: dangling-network-policy
#   severity: low
#   family: network
package rampart.checks.dangling_network_policy
