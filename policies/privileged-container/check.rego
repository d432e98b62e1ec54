# METADATA
# scope: subpackages
# title: Privileged container
# custom:
#   id: privileged-container
#   severity: critical
#   family: security
package rampart.checks.privileged_container
