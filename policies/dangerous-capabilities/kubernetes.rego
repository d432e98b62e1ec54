# METADATA
# description: |
#   A container that adds any capability but `NET_BIND_SERVICE` to `capabilities.add` (one
#   finding per added capability, `ALL` included), or whose `capabilities.drop` does not contain
#   `ALL` (one finding). Capability names are compared case-insensitively, with or without a
#   `CAP_` prefix, as CRI-O reads them (`CAP_SYS_ADMIN`, `SYS_ADMIN` and `sys_admin` are the
#   same capability); `ALL` is case-insensitive, as in every runtime. `capabilities` exists only
#   on the container's `securityContext`; a pod-level value is ignored. Init and ephemeral
#   containers are included. Windows pods (`spec.os.name: windows`), which cannot set
#   capabilities, are skipped.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     description: Pod Security Standards, restricted profile (Capabilities)
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
#     description: Set capabilities for a Container
#   - ref: https://man7.org/linux/man-pages/man7/capabilities.7.html
#     description: capabilities(7), what each Linux capability allows
# custom:
#   targets: [workload]
#   why: |
#     the runtime's default set (`CHOWN`, `DAC_OVERRIDE`, `SETUID`, `NET_RAW`, ...)
#     and any added capability give a compromised process powers that most applications never use:
#     spoofing packets, bypassing file permissions, or, with `SYS_ADMIN`, `SYS_PTRACE` or
#     `SYS_MODULE`, escaping to the node. Dropping `ALL` and adding back only what is needed shrinks
#     that to nothing.
#   remediation: |
#     Set `securityContext.capabilities.drop: [ALL]` on every container and remove every
#     entry of `capabilities.add` except `NET_BIND_SERVICE`, which a process needs only to
#     bind a port below 1024 as non-root (better: listen on a port above 1024).
package rampart.checks.dangerous_capabilities.kubernetes

import rego.v1

import data.rampart.lib.security_context as sc
import data.rampart.lib.kubernetes.containers
import data.rampart.lib.security_context.is_windows

allowed := {"NET_BIND_SERVICE"}

deny contains {"msg": msg, "path": array.concat(c.path, ["securityContext", "capabilities", "add", i])} if {
	not is_windows
	some c in containers
	is_array(c.container.securityContext.capabilities.add)
	some i, cap in c.container.securityContext.capabilities.add
	not sc.normalize_capability(cap) in allowed
	msg := added_message(c.name, cap)
}

deny contains {"msg": msg, "path": array.concat(c.path, ["securityContext", "capabilities", "drop"])} if {
	not is_windows
	some c in containers
	not drops_all(c.container)
	msg := drop_message(c.name, dropped_names(c.container))
}

drops_all(container) if {
	is_array(container.securityContext.capabilities.drop)
	some cap in container.securityContext.capabilities.drop
	sc.is_all(cap)
}

added_message(name, cap) := sprintf("container `%s` adds all capabilities (%s)", [name, cap]) if {
	sc.is_all(cap)
}

added_message(name, cap) := sprintf("container `%s` adds capability %s", [name, json.marshal(cap)]) if {
	not is_string(cap)
}

added_message(name, cap) := sprintf("container `%s` adds capability %s", [name, cap]) if {
	is_string(cap)
	not sc.is_all(cap)
}

drop_message(name, dropped) := sprintf("container `%s` drops %s but not ALL capabilities", [name, concat(", ", dropped)]) if {
	count(dropped) > 0
}

drop_message(name, dropped) := sprintf("container `%s` does not drop ALL capabilities", [name]) if {
	count(dropped) == 0
}

dropped_names(container) := [sprintf("%v", [cap]) |
	is_array(container.securityContext.capabilities.drop)
	some cap in container.securityContext.capabilities.drop
]
