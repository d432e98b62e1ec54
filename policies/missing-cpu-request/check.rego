# METADATA
# scope: subpackages
# title: Container has no CPU request
# custom:
#   id: missing-cpu-request
#   severity: medium
#   family: resources
package rampart.checks.missing_cpu_request
