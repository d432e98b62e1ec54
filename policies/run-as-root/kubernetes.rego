# METADATA
# description: |
#   A container whose effective `runAsNonRoot` is not `true` and whose effective `runAsUser` is
#   unset or `0` may run as root; `runAsUser: 0` is always reported. The container's
#   `securityContext` wins and the pod's `securityContext` supplies the default, as Kubernetes
#   applies them. Init and ephemeral containers are included.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     description: Configure a Security Context for a Pod or Container
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted
#     description: Pod Security Standards, restricted profile
# custom:
#   targets: [workload]
#   why: |
#     a process running as root inside a container is one kernel or runtime bug
#     away from root on the node, and can modify everything in its image.
#   remediation: |
#     Set `securityContext.runAsNonRoot: true` and a non-zero `runAsUser` on the pod (or on each
#     container), and build the image with a non-root `USER`.
package rampart.checks.run_as_root.kubernetes

import rego.v1

import data.rampart.lib.kubernetes.containers

deny contains {"msg": msg, "path": c.security.runAsUser.path} if {
	some c in containers
	c.security.runAsUser.value == 0
	msg := sprintf("container `%s` runs as root (runAsUser: 0)", [c.name])
}

deny contains {"msg": msg, "path": c.security.runAsNonRoot.path} if {
	some c in containers
	not c.security.runAsNonRoot.value == true
	not has_user(c)
	msg := sprintf("container `%s` may run as root: runAsNonRoot is not true and runAsUser is not set", [c.name])
}

has_user(c) if c.security.runAsUser.value != null
