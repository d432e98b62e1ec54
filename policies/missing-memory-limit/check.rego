# METADATA
# scope: subpackages
# title: Container has no memory limit
# custom:
#   id: missing-memory-limit
#   severity: medium
#   family: resources
package rampart.checks.missing_memory_limit
