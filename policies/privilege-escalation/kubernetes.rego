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

# The SYS_ADMIN grants are found once per container and handed to `implicit_escalation`: the
# RVM runs every definition of a function, and two of the three read them.
deny contains finding if {
	not is_windows
	some c in containers
	not explicitly_allows(c)
	adds := sc.granting_adds(c.container, "SYS_ADMIN")
	finding := implicit_escalation(c, adds)
}

implicit_escalation(c, _) := {
	"msg": sprintf("container `%s` allows privilege escalation: it is privileged, which always allows it", [c.name]),
	"path": ape_path(c),
	"related": [{
		"msg": "privileged here",
		"path": array.concat(c.path, ["securityContext", "privileged"]),
	}],
} if {
	c.container.securityContext.privileged == true
}

implicit_escalation(c, adds) := {
	"msg": sprintf("container `%s` allows privilege escalation: it adds %s, which always allows it", [c.name, grant.reason]),
	"path": ape_path(c),
	"related": [{
		"msg": grant.related,
		"path": array.concat(c.path, ["securityContext", "capabilities", "add", i]),
	}],
} if {
	not c.container.securityContext.privileged == true
	count(adds) > 0
	i := min(adds)
	grant := sys_admin_grant(c.container.securityContext.capabilities.add[i])
}

implicit_escalation(c, adds) := {
	"msg": sprintf("container `%s` allows privilege escalation: allowPrivilegeEscalation is not set and defaults to true", [c.name]),
	"path": ape_path(c),
} if {
	not c.container.securityContext.privileged == true
	not c.container.securityContext.allowPrivilegeEscalation == false
	count(adds) == 0
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
