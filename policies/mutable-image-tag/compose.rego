# METADATA
# description: |
#   a service whose `image` has neither a tag nor a digest, or is tagged `latest`,
#   after interpolation (`image: app:${TAG}` takes `TAG` from `.env`). The reference is parsed
#   as for Kubernetes: `registry:5000/app` has no tag, `app@sha256:...` and
#   `app:1.2@sha256:...` are pinned, and a malformed digest (`app@sha256:123456`) gets a
#   message of its own. A service built from `build:` with no `image` has no image
#   to pin and is not reported; a service with both is, because Compose first tries to pull
#   `image` and only builds when the pull fails (the default `pull_policy`).
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#image
#     description: Compose specification, services (image)
#   - ref: https://docs.docker.com/reference/cli/docker/image/tag/
#     description: "docker image tag: the format of an image reference"
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, an untagged image means `latest`, and a tag can be
#     pushed again: two hosts, or the same host before and after `docker compose pull`, run
#     different code for the same file, and going back to a previous version is not possible.
#   remediation: |
#     Set `image` to a released version (`image: redis:7.2.4-alpine`), or better a digest
#     (`image: redis:7.2.4-alpine@sha256:...`). For an image you build and push, tag it with a
#     version, e.g. `image: registry.example.com/app:${VERSION}` with `VERSION` in `.env`.
package rampart.checks.mutable_image_tag.compose

import rego.v1

import data.rampart.lib.images

deny contains {"msg": msg, "path": ["image"]} if {
	image := input.service.image
	# `=`, not `:=`: on regorus's RVM a `:=` of an undefined value does not end the body.
	reason = images.mutable(image)
	msg := sprintf(messages[reason], [input.name, image])
}

messages := {
	"latest": "service `%s` uses image `%s`, whose tag `latest` can change",
	"untagged": "service `%s` uses image `%s` with no tag or digest (it means `latest`)",
	"malformed-digest": "service `%s` uses image `%s`, whose digest is malformed (a digest is `@<algorithm>:<hex>`, such as `@sha256:` and 64 hex digits): it pins nothing, and the reference is rejected when pulled",
}
