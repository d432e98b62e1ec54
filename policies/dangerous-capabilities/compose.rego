# METADATA
# description: |
#   a service whose `cap_add` has any capability but `NET_BIND_SERVICE` (one
#   finding per entry, at the entry, `ALL` included), or whose `cap_drop` does not contain `ALL`
#   (one finding, at `cap_drop`, or at the service without one). Capability names are compared
#   the way the Docker daemon reads them: case-insensitively, with or without a `CAP_` prefix
#   (`CAP_SYS_ADMIN`, `SYS_ADMIN` and `sys_admin` are the same capability); `ALL` in any case.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#cap_add
#     description: Compose specification, services (cap_add)
#   - ref: https://docs.docker.com/reference/compose-file/services/#cap_drop
#     description: Compose specification, services (cap_drop)
#   - ref: https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities
#     description: Docker, runtime privilege and Linux capabilities (the default set)
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, Docker's default set (`CHOWN`, `DAC_OVERRIDE`, `SETUID`,
#     `NET_RAW`, ...) and any added capability give a compromised process powers most applications
#     never use; `SYS_ADMIN`, `SYS_PTRACE` or `SYS_MODULE` are a way out to the host.
#   remediation: |
#     Add `cap_drop: [ALL]` to the service and remove every entry of `cap_add` except
#     `NET_BIND_SERVICE`, which a process needs only to bind a port below 1024 as non-root
#     (better: listen on a port above 1024 and publish it on the low port with `ports`).
package rampart.checks.dangerous_capabilities.compose

import rego.v1

import data.rampart.lib.compose_security as cs

allowed := {"NET_BIND_SERVICE"}

deny contains {"msg": msg, "path": ["cap_add", i]} if {
	is_array(input.service.cap_add)
	some i, cap in input.service.cap_add
	not cs.normalize_capability(cap) in allowed
	msg := added_message(cap)
}

deny contains {"msg": drop_message, "path": ["cap_drop"]} if {
	not drops_all
}

drops_all if {
	is_array(input.service.cap_drop)
	some cap in input.service.cap_drop
	cs.is_all(cap)
}

added_message(cap) := sprintf("service `%s` adds all capabilities (cap_add: %s)", [input.name, cap]) if {
	cs.is_all(cap)
}

added_message(cap) := sprintf("service `%s` adds capability %s", [input.name, cap]) if {
	is_string(cap)
	not cs.is_all(cap)
}

# (`ALL` is a string, so this form never meets the first.)
added_message(cap) := sprintf("service `%s` adds capability %s", [input.name, json.marshal(cap)]) if {
	not is_string(cap)
}

drop_message := sprintf("service `%s` drops %s but not ALL capabilities", [input.name, concat(", ", dropped)]) if {
	count(dropped) > 0
}

drop_message := sprintf("service `%s` does not drop ALL capabilities", [input.name]) if {
	not count(dropped) > 0
}

# The entries of a `cap_drop` list, as written; undefined when `cap_drop` is not a list.
dropped := [sprintf("%v", [cap]) | some cap in input.service.cap_drop] if {
	is_array(input.service.cap_drop)
}
