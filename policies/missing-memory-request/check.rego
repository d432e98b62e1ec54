# METADATA
# scope: subpackages
# title: Container has no memory request
# custom:
#   id: missing-memory-request
#   severity: medium
#   family: resources
package rampart.checks.missing_memory_request
