# METADATA
# description: |
#   A container whose `securityContext.privileged` is `true`. Init and ephemeral containers are
#   included. `privileged` exists only on the container's `securityContext`: the pod's
#   `securityContext` has no such field, so a pod-level `privileged` is ignored.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     description: Pod Security Standards, baseline profile (Privileged Containers)
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     description: Configure a Security Context for a Pod or Container
# custom:
#   targets: [workload]
#   why: |
#     a privileged container gets every capability and every host device and is
#     not confined by seccomp, AppArmor or SELinux; it is root on the node in all but name, and
#     one compromised process in it owns the node and every pod on it.
#   remediation: |
#     Remove `privileged: true` from the container's `securityContext` (or set it to `false`).
#     Grant only what the process needs instead: a single capability in `capabilities.add`, a
#     device through a device plugin, or a sysctl in the pod's `securityContext.sysctls`.
package rampart.checks.privileged_container.kubernetes

import rego.v1

import data.rampart.lib.kubernetes.containers

deny contains {"msg": msg, "path": array.concat(c.path, ["securityContext", "privileged"])} if {
	some c in containers
	c.container.securityContext.privileged == true
	msg := sprintf("container `%s` is privileged", [c.name])
}
