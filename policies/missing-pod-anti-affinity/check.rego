# METADATA
# scope: subpackages
# title: Replicated workload without pod anti-affinity
# custom:
#   id: missing-pod-anti-affinity
#   severity: medium
#   family: spread
package rampart.checks.missing_pod_anti_affinity
