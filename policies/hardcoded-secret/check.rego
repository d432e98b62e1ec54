# METADATA
# scope: subpackages
# title: Credential written into the manifest
# custom:
#   id: hardcoded-secret
#   severity: high
#   family: secrets
package rampart.checks.hardcoded_secret
