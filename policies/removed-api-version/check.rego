# METADATA
# scope: subpackages
# title: API version no longer served
# custom:
#   id: removed-api-version
#   severity: high
#   family: api
package rampart.checks.removed_api_version
