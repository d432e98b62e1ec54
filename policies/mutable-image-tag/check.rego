# METADATA
# scope: subpackages
# title: Image is not pinned
# custom:
#   id: mutable-image-tag
#   severity: low
#   family: supply-chain
package rampart.checks.mutable_image_tag
