# METADATA
# scope: subpackages
# title: Compose variable without a value or default
# custom:
#   id: unset-compose-variable
#   severity: low
#   family: api
package rampart.checks.unset_compose_variable
