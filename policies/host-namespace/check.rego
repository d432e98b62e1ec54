# METADATA
# scope: subpackages
# title: Pod shares a host namespace
# custom:
#   id: host-namespace
#   severity: high
#   family: security
package rampart.checks.host_namespace
