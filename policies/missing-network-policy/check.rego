# METADATA
# scope: subpackages
# title: Workload not isolated by a NetworkPolicy
# custom:
#   id: missing-network-policy
#   severity: medium
#   family: network
package rampart.checks.missing_network_policy
