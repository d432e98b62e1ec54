# METADATA
# description: |
#   a service with `network_mode: host`, `pid: host` or `ipc: host`; each one is
#   reported on its own, at its key. Docker matches the value `host` exactly (lower case). Other
#   values, such as `bridge`, `none`, `service:<name>`, `container:<id>`, `shareable` or
#   `private`, share nothing with the host. `uts: host` (the host's hostname, which only a
#   container with `SYS_ADMIN` can change), `userns_mode: host` and `cgroup: host` are not part of
#   this check.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#network_mode
#     description: Compose specification, services (network_mode)
#   - ref: https://docs.docker.com/reference/compose-file/services/#pid
#     description: Compose specification, services (pid)
#   - ref: https://docs.docker.com/reference/compose-file/services/#ipc
#     description: Compose specification, services (ipc)
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, `network_mode: host` lets the container bind the host's
#     ports and reach services listening on its localhost, `pid: host` lets it see and signal every
#     process of the host, and `ipc: host` gives it the host's shared memory.
#   remediation: |
#     Remove `network_mode: host`, `pid: host` and `ipc: host`. Publish the ports the service
#     serves with `ports` (bound to an address such as `127.0.0.1:8080:80`) and reach other
#     services by name on the project network. To share processes or shared memory with one
#     other service only, use `pid: "service:<name>"` or `ipc: "service:<name>"`.
package rampart.checks.host_namespace.compose

import rego.v1

namespaces := {"network_mode": "network", "pid": "PID", "ipc": "IPC"}

deny contains {"msg": msg, "path": [field]} if {
	some field, namespace in namespaces
	input.service[field] == "host"
	msg := sprintf("service `%s` shares the host's %s namespace (%s: host)", [input.name, namespace, field])
}
