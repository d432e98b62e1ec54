package rampart.lib.images_test

import rego.v1

import data.rampart.lib.images

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

references := [
	"nginx",
	"nginx:latest",
	"nginx:1.27",
	"nginx:",
	"library/nginx",
	"docker.io/library/nginx:latest",
	"registry:5000/app",
	"registry:5000/app:latest",
	"registry:5000/team/app:2.0",
	"localhost:5000/app",
	"[::1]:5000/app",
	"[::1]:5000/app:1.0",
	"ghcr.io/org/app:v1.2.3-alpine",
	"nginx:LATEST",
	sprintf("nginx@%s", [digest]),
	sprintf("nginx:latest@%s", [digest]),
	sprintf("registry:5000/app@%s", [digest]),
	"nginx@sha256:abc",
	"nginx@notadigest",
]

test_untagged_references if {
	images.mutable("nginx") == "untagged"
	images.mutable("library/nginx") == "untagged"
	images.mutable("registry:5000/app") == "untagged"
	images.mutable("registry:5000/team/app") == "untagged"
	images.mutable("localhost:5000/app") == "untagged"
	images.mutable("[::1]:5000/app") == "untagged"
	images.mutable("nginx:") == "untagged"
}

test_latest_references if {
	images.mutable("nginx:latest") == "latest"
	images.mutable("docker.io/library/nginx:latest") == "latest"
	images.mutable("registry:5000/app:latest") == "latest"
}

test_tagged_references_are_not_mutable if {
	not images.mutable("nginx:1.27")
	not images.mutable("registry:5000/team/app:2.0")
	not images.mutable("[::1]:5000/app:1.0")
	not images.mutable("ghcr.io/org/app:v1.2.3-alpine")
	not images.mutable("redis:alpine")
}

# Tags are case-sensitive: `LATEST` is a tag like any other.
test_latest_is_case_sensitive if {
	not images.mutable("nginx:LATEST")
}

test_digests_pin if {
	images.pinned(sprintf("nginx@%s", [digest]))
	images.pinned(sprintf("nginx:latest@%s", [digest]))
	images.pinned(sprintf("registry:5000/app@%s", [digest]))
	not images.mutable(sprintf("nginx@%s", [digest]))
	not images.mutable(sprintf("nginx:latest@%s", [digest]))
	not images.mutable(sprintf("registry:5000/app@%s", [digest]))
}

# Too short to be a digest, or no algorithm: not pinned; the reference has no tag.
test_malformed_digests_do_not_pin if {
	not images.pinned("nginx@sha256:abc")
	not images.pinned("nginx@notadigest")
	images.mutable("nginx@sha256:abc") == "malformed-digest"
	images.mutable("nginx:1.27@sha256:123456") == "malformed-digest"
	images.mutable("nginx@notadigest") == "malformed-digest"
}

test_tag_of if {
	images.tag_of("nginx:1.27") == "1.27"
	images.tag_of("registry:5000/team/app:2.0") == "2.0"
	images.tag_of(sprintf("nginx:1.27@%s", [digest])) == "1.27"
	not images.tag_of("registry:5000/app")
	not images.tag_of("nginx")
	not images.tag_of("nginx:")
}

test_non_strings_and_empty_are_not_mutable if {
	not images.mutable("")
	not images.mutable(null)
	not images.mutable(42)
	not images.mutable({"name": "nginx"})
	not images.pinned(null)
	not images.tag_of(null)
}
