# METADATA
# description: |
#   a service with `privileged: true` (or a string Compose reads as true: `"true"`,
#   `"yes"`, `"on"`, `"y"`, in any case).
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#privileged
#     description: Compose specification, services (privileged)
#   - ref: https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities
#     description: Docker, runtime privilege and Linux capabilities
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, a privileged container gets every capability and every
#     host device, ignores `cap_drop`, and is not confined by seccomp, AppArmor or SELinux; it is
#     root on the host in all but name.
#   remediation: |
#     Remove `privileged: true` (or set it to `false`). Grant only what the process needs
#     instead: one capability in `cap_add`, one device in `devices`, or a kernel parameter in
#     `sysctls`.
package rampart.checks.privileged_container.compose

import rego.v1

import data.rampart.lib.compose_security as cs

deny contains {"msg": msg, "path": ["privileged"]} if {
	# The key first: on the RVM a function is called (thousands of machine instructions) even
	# when its argument is undefined.
	input.service.privileged
	cs.is_true(input.service.privileged)
	msg := message(input.service.privileged)
}

message(value) := sprintf("service `%s` is privileged", [input.name]) if value == true

message(value) := sprintf("service `%s` is privileged (privileged: %v)", [input.name, value]) if not value == true
