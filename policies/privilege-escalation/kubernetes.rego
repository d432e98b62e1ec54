# METADATA
# description: |
#   A container whose `allowPrivilegeEscalation` is not `false`. Unset counts as allowed, since
#   that is the Kubernetes default. A privileged container, or one that holds `CAP_SYS_ADMIN`
#   (added by name in any spelling, `SYS_ADMIN`, `CAP_SYS_ADMIN`, `sys_admin`, or through `ALL`,
#   and not dropped by name), can always escalate, so it is reported even with
#   `allowPrivilegeEscalation: false`. The field exists only on the container's
#   `securityContext`; a pod-level value is ignored. Init and ephemeral containers are included.
#   Windows pods (`spec.os.name: windows`), which cannot set the field, are skipped.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     description: Pod Security Standards, restricted profile (Privilege Escalation)
#   - ref: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context-1
#     description: Container securityContext API reference (allowPrivilegeEscalation)
# custom:
#   targets: [workload]
#   why: |
#     without `allowPrivilegeEscalation: false` the kernel's `no_new_privs` flag is
#     not set, so a setuid binary or file capability in the image lets a compromised process gain
#     more privileges than the container was started with.
#   remediation: |
#     Set `securityContext.allowPrivilegeEscalation: false` on every container (it cannot be set
#     on the pod). A container that is privileged or adds `SYS_ADMIN` can escalate regardless:
#     remove `privileged: true` and the `SYS_ADMIN` capability as well.
package rampart.checks.privilege_escalation.kubernetes

import rego.v1

import data.rampart.lib.security_context as sc
import data.rampart.lib.kubernetes.containers
import data.rampart.lib.security_context.is_windows

# One finding per container at most: an explicit `allowPrivilegeEscalation` that is not false,
# else what allows escalation regardless of it (privileged, SYS_ADMIN), else the default.
deny contains {
	"msg": sprintf("container `%s` allows privilege escalation (allowPrivilegeEscalation: %s)", [c.name, json.marshal(value)]),
	"path": ape_path(c),
} if {
	not is_windows
	some c in containers
	# `=`, not `:=`: on regorus's RVM a `:=` of an undefined value does not end the body (the
	# `not` below would hold and the finding be built for every container that sets nothing).
	value = c.container.securityContext.allowPrivilegeEscalation
	not value in {false, null}
}

# The three ways a container that does not explicitly allow escalation still has it. Each rule
# tests the container's own fields before calling a function: on the RVM a call costs thousands
# of machine instructions, and most containers are neither privileged nor add capabilities.

# Privileged: escalation is always allowed.
deny contains {
	"msg": sprintf("container `%s` allows privilege escalation: it is privileged, which always allows it", [c.name]),
	"path": ape_path(c),
	"related": [{
		"msg": "privileged here",
		"path": array.concat(c.path, ["securityContext", "privileged"]),
	}],
} if {
	not is_windows
	some c in containers
	c.container.securityContext.privileged == true
	not explicitly_allows(c)
}

# Adds CAP_SYS_ADMIN (by name or through ALL) and does not drop it.
deny contains {
	"msg": sprintf("container `%s` allows privilege escalation: it adds %s, which always allows it", [c.name, grant.reason]),
	"path": ape_path(c),
	"related": [{
		"msg": grant.related,
		"path": array.concat(c.path, ["securityContext", "capabilities", "add", i]),
	}],
} if {
	not is_windows
	some c in containers
	is_array(c.container.securityContext.capabilities.add)
	not c.container.securityContext.privileged == true
	not explicitly_allows(c)
	adds := sc.granting_adds(c.container, "SYS_ADMIN")
	count(adds) > 0
	i := min(adds)
	grant := sys_admin_grant(c.container.securityContext.capabilities.add[i])
}

# Unset (or null), neither privileged nor adding CAP_SYS_ADMIN: the default allows it. Two
# bodies, so that a container that adds no capabilities is not given to `granting_adds`.
deny contains unset_finding(c) if {
	not is_windows
	some c in containers
	object.get(c.container, ["securityContext", "allowPrivilegeEscalation"], null) == null
	not c.container.securityContext.privileged == true
	not is_array(c.container.securityContext.capabilities.add)
}

deny contains unset_finding(c) if {
	not is_windows
	some c in containers
	object.get(c.container, ["securityContext", "allowPrivilegeEscalation"], null) == null
	not c.container.securityContext.privileged == true
	is_array(c.container.securityContext.capabilities.add)
	count(sc.granting_adds(c.container, "SYS_ADMIN")) == 0
}

unset_finding(c) := {
	"msg": sprintf("container `%s` allows privilege escalation: allowPrivilegeEscalation is not set and defaults to true", [c.name]),
	"path": ape_path(c),
}

explicitly_allows(c) if {
	value := c.container.securityContext.allowPrivilegeEscalation
	value != false
	value != null
}

sys_admin_grant(added) := {"reason": "ALL capabilities, CAP_SYS_ADMIN included", "related": "ALL capabilities added here"} if {
	sc.is_all(added)
}

sys_admin_grant(added) := {"reason": "CAP_SYS_ADMIN", "related": "CAP_SYS_ADMIN added here"} if {
	not sc.is_all(added)
}

ape_path(c) := array.concat(c.path, ["securityContext", "allowPrivilegeEscalation"])
