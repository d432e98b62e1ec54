# METADATA
# description: |
#   a service whose `read_only` is not true (unset counts as writable, the Docker
#   default). `true` may also be written as a string Compose reads as true (`"true"`, `"yes"`,
#   `"on"`, `"y"`, in any case).
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#read_only
#     description: Compose specification, services (read_only)
#   - ref: https://docs.docker.com/reference/compose-file/services/#tmpfs
#     description: Compose specification, services (tmpfs)
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, a writable root filesystem lets an attacker who gets code
#     execution drop tools, replace binaries and persist changes for the life of the container; a
#     read-only one limits writes to the volumes and `tmpfs` mounts the service declares.
#   remediation: |
#     Set `read_only: true` on the service, and mount a size-limited `tmpfs` (e.g.
#     `tmpfs: ["/tmp:size=64m"]`) or a volume at each path the process must write.
package rampart.checks.writable_root_filesystem.compose

import rego.v1

import data.rampart.lib.compose_security as cs

deny contains {"msg": message, "path": ["read_only"]} if {
	not cs.is_true(input.service.read_only)
}

message := sprintf("service `%s` has a writable root filesystem (read_only: %v)", [input.name, input.service.read_only]) if {
	read_only_set
}

message := sprintf("service `%s` has a writable root filesystem: read_only is not set", [input.name]) if {
	not read_only_set
}

# `read_only` holds a value (null counts as not set).
read_only_set if input.service.read_only != null
