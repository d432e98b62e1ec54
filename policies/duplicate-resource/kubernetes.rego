# METADATA
# description: |
#   Two objects of one deployment unit with the same kind, namespace and name (an object
#   without `metadata.namespace` is in `default`, or in param `default-namespace`). The
#   finding is at the second copy's `metadata.name`, with the first copy as a related
#   location; with three copies, each copy after the first is reported. Both copies are
#   linted by every other check, and cross-resource checks see the first.
#
#   Copies in different deployment units are not reported: sibling directories that define
#   the same objects (`overlays/prod` and `overlays/staging`) are separate units by default,
#   and so are files of one directory that repeat at least two objects and half of the
#   smaller file's (alternative renderings such as `install.yaml` and
#   `namespace-install.yaml`); `units:` in `.rampart.yaml` declares units where the default
#   guesses wrong. When files are named on the command line, a copy read only for context
#   is never reported: the finding is on the named copy.
#
#   A policy sees one object at a time and `data.inventory` holds one object per identity,
#   so rampart computes this check itself; this file carries its metadata and its rule is
#   empty.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
#     description: "Object names and IDs: one object of a kind per name and namespace"
# custom:
#   targets: ["*"]
#   why: |
#     applying both files, the later copy silently replaces the earlier one
#     (`kubectl apply` updates the same object), so one of them never takes effect; a
#     narrower NetworkPolicy may replace a default-deny policy of the same name.
#   remediation: |
#     Remove one copy, rename one of them, or, when the copies belong to different clusters
#     or environments, move them into separate directories or declare the units in
#     `.rampart.yaml` (`units: {prod: ["prod/**"], staging: ["staging/**"]}`)
package rampart.checks.duplicate_resource.kubernetes

import rego.v1

# Computed by rampart from the unit's objects: a policy cannot tell two copies apart.
deny := set()
