# METADATA
# scope: subpackages
# title: Object defined twice in one deployment unit
# custom:
#   id: duplicate-resource
#   severity: high
#   family: api
package rampart.checks.duplicate_resource
