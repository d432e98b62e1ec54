# METADATA
# scope: subpackages
# title: Container root filesystem is writable
# custom:
#   id: writable-root-filesystem
#   severity: low
#   family: security
package rampart.checks.writable_root_filesystem
