# METADATA
# scope: subpackages
# title: Container has no CPU limit
# custom:
#   id: missing-cpu-limit
#   severity: low
#   family: resources
package rampart.checks.missing_cpu_limit
