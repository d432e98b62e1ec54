# METADATA
# scope: subpackages
# title: Container may run as root
# custom:
#   id: run-as-root
#   severity: high
#   family: security
package rampart.checks.run_as_root
