# METADATA
# description: |
#   A container image (regular, init and ephemeral containers) with neither a tag nor a
#   digest, or tagged `latest`. The reference is parsed as a registry reference: the tag
#   is what follows a `:` in the last `/`-separated component, so `registry:5000/team/app`
#   has no tag (the colon belongs to the registry's host:port), `app:1.2` has one, and any
#   `@sha256:...` digest pins the image whatever its tag (`app@sha256:...`,
#   `app:1.2@sha256:...`). A malformed digest (`app@sha256:123456`, too short or without an
#   algorithm) pins nothing and gets a message of its own.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/containers/images/#image-names
#     description: "Images: image names, tags and digests"
#   - ref: https://kubernetes.io/docs/concepts/configuration/overview/#container-images
#     description: "Configuration best practices: avoid the latest tag"
# custom:
#   targets: [workload]
#   why: |
#     an untagged image means `latest`, and `latest` (like any tag) can be
#     pushed again. Two nodes may run different code for the same pod spec, a rollback does
#     not go back, and you cannot tell what is running. With `latest` the kubelet also
#     defaults `imagePullPolicy` to `Always`, so a registry outage blocks pod starts.
#   remediation: |
#     Reference a released version (`nginx:1.27.2`), or better a digest
#     (`nginx:1.27.2@sha256:...`), and let your release tooling update it.
package rampart.checks.mutable_image_tag.kubernetes

import rego.v1

import data.rampart.lib.images
import data.rampart.lib.kubernetes.containers

deny contains {"msg": msg, "path": array.concat(c.path, ["image"])} if {
	some c in containers
	image := c.container.image
	# `=`, not `:=`: on regorus's RVM a `:=` of an undefined value does not end the body.
	reason = images.mutable(image)
	msg := sprintf(messages[reason], [c.name, image])
}

messages := {
	"latest": "container `%s` uses image `%s`, whose tag `latest` can change",
	"untagged": "container `%s` uses image `%s` with no tag or digest (it means `latest`)",
	"malformed-digest": "container `%s` uses image `%s`, whose digest is malformed (a digest is `@<algorithm>:<hex>`, such as `@sha256:` and 64 hex digits): it pins nothing, and the reference is rejected when pulled",
}
