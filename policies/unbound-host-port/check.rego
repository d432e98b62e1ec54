# METADATA
# scope: subpackages
# title: Published port binds every interface
# custom:
#   id: unbound-host-port
#   severity: low
#   family: network
package rampart.checks.unbound_host_port
