# METADATA
# scope: subpackages
# title: Resource request is greater than its limit
# custom:
#   id: request-exceeds-limit
#   severity: high
#   family: resources
package rampart.checks.request_exceeds_limit
