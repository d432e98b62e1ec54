# METADATA
# scope: subpackages
# title: Container allows privilege escalation
# custom:
#   id: privilege-escalation
#   severity: medium
#   family: security
package rampart.checks.privilege_escalation
