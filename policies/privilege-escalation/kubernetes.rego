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

import data.rampart.lib.kubernetes as k8s
import data.rampart.lib.security_context as sc
import data.rampart.lib.kubernetes.containers
import data.rampart.lib.security_context.is_windows

deny contains finding if {
	not is_windows
	some c in containers
	some finding in escalation(c)
}

# At most one finding per container: the first reason that applies, most direct first.
escalation(c) := {{
	"msg": sprintf("container `%s` allows privilege escalation (allowPrivilegeEscalation: %s)", [k8s.name(c.container), json.marshal(value)]),
	"path": ape_path(c),
}} if {
	value := c.container.securityContext.allowPrivilegeEscalation
	not value in {false, null}
}

escalation(c) := {{
	"msg": sprintf("container `%s` allows privilege escalation: it is privileged, which always allows it", [k8s.name(c.container)]),
	"path": ape_path(c),
	"related": [{
		"msg": "privileged here",
		"path": array.concat(c.path, ["securityContext", "privileged"]),
	}],
}} if {
	not explicitly_allows(c)
	sc.is_privileged(c.container)
}

escalation(c) := {{
	"msg": sprintf("container `%s` allows privilege escalation: it adds %s, which always allows it", [k8s.name(c.container), grant.reason]),
	"path": ape_path(c),
	"related": [{
		"msg": grant.related,
		"path": array.concat(c.path, ["securityContext", "capabilities", "add", i]),
	}],
}} if {
	not explicitly_allows(c)
	not sc.is_privileged(c.container)
	adds := sc.granting_adds(c.container, "SYS_ADMIN")
	count(adds) > 0
	i := min(adds)
	grant := sys_admin_grant(c.container.securityContext.capabilities.add[i])
}

escalation(c) := {{
	"msg": sprintf("container `%s` allows privilege escalation: allowPrivilegeEscalation is not set and defaults to true", [k8s.name(c.container)]),
	"path": ape_path(c),
}} if {
	not explicitly_allows(c)
	not sc.is_privileged(c.container)
	not adds_sys_admin(c)
	not c.container.securityContext.allowPrivilegeEscalation == false
}

# allowPrivilegeEscalation is set to something other than false or null.
explicitly_allows(c) if {
	value := c.container.securityContext.allowPrivilegeEscalation
	value != false
	value != null
}

adds_sys_admin(c) if count(sc.granting_adds(c.container, "SYS_ADMIN")) > 0

sys_admin_grant(added) := {"reason": "ALL capabilities, CAP_SYS_ADMIN included", "related": "ALL capabilities added here"} if {
	sc.is_all(added)
}

sys_admin_grant(added) := {"reason": "CAP_SYS_ADMIN", "related": "CAP_SYS_ADMIN added here"} if {
	not sc.is_all(added)
}

ape_path(c) := array.concat(c.path, ["securityContext", "allowPrivilegeEscalation"])
