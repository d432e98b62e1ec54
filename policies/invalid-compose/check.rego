# METADATA
# scope: subpackages
# title: Compose file the Compose specification rejects
# custom:
#   id: invalid-compose
#   severity: high
#   family: api
package rampart.checks.invalid_compose
