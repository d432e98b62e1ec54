# METADATA
# scope: subpackages
# title: Container keeps dangerous capabilities
# custom:
#   id: dangerous-capabilities
#   severity: medium
#   family: security
package rampart.checks.dangerous_capabilities
