# Helpers for container image references (`nginx`, `nginx:1.27`, `registry:5000/team/app:1.2`,
# `app@sha256:...`), shared by the Kubernetes and Compose sides of checks about images.
package rampart.lib.images

import rego.v1

# A digest pins the image, with or without a tag (`app@sha256:...`, `app:1.2@sha256:...`).
# The `@` test first spares most images the regex (each regex call costs a lazy DFA on the RVM).
pinned(image) if {
	is_string(image)
	contains(image, "@")
	regex.match(`@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$`, image)
}

# The tag: what follows `:` in the last `/`-separated component (a `:` before the last `/` is
# the registry's port, as in `registry:5000/app`). Undefined when there is none.
tag_of(image) := tag if {
	is_string(image)
	name := without_digest(image)
	parts := split(name, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := substring(last, indexof(last, ":") + 1, -1)
	tag != ""
}

# The reference without its `@digest` part.
without_digest(image) := substring(image, 0, indexof(image, "@")) if {
	contains(image, "@")
}

without_digest(image) := image if not contains(image, "@")

# Why an image reference is not pinned: "malformed-digest" (an `@` part that is no valid
# digest, whatever the tag), "latest" (tagged `latest`, without a digest) or "untagged"
# (neither a tag nor a digest). Undefined for a pinned image, a tag other than
# `latest`, an empty string or a value that is not a string.
# Why a reference does not pin what runs: "malformed-digest", "latest" or "untagged"; undefined
# when it pins (a valid digest) or names a tag other than `latest`.
mutable(image) := reason if {
	# `=`, not `:=`: on regorus's RVM a `:=` of an undefined value does not end the body.
	r = reference(image)
	reason = mutability(r, image)
}

# The reference is read once and passed on: each call of a function runs all its definitions
# on the RVM, and `reference` was called by each of three definitions.
mutability(r, _) := "malformed-digest" if r.digest == "malformed"

mutability(r, _) := "latest" if {
	r.digest == "none"
	r.tag == "latest"
}

mutability(r, image) := "untagged" if {
	r.digest == "none"
	r.tag == null
	image != ""
}

# What a reference pins: {"digest": "none" | "pinned" | "malformed", "tag": <tag> or null}. On
# the RVM rampart reads every image of the input once in Rust (src/policy/facts.rs) and gives
# them at `data.rampart.facts.images`; elsewhere they are read here.
reference(image) := data.rampart.facts.images[image]

reference(image) := {"digest": digest_kind(image), "tag": object.get({"t": t | t := tag_of(image)}, "t", null)} if {
	is_string(image)
	not data.rampart.facts.images[image]
}

digest_kind(image) := "none" if not contains(image, "@")

digest_kind(image) := "pinned" if pinned(image)

digest_kind(image) := "malformed" if malformed_digest(image)

malformed_digest(image) if {
	is_string(image)
	contains(image, "@")
	not pinned(image)
}
