# METADATA
# scope: subpackages
# title: Service targets a port no selected pod declares
# custom:
#   id: unresolved-target-port
#   severity: medium
#   family: ports
package rampart.checks.unresolved_target_port
