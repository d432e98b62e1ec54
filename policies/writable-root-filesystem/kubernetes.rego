# METADATA
# description: |
#   A container whose `securityContext.readOnlyRootFilesystem` is not `true` (unset counts as
#   writable, the Kubernetes default). The field exists only on the container's
#   `securityContext`; a pod-level value is ignored. Init and ephemeral containers are included.
#   Windows pods (`spec.os.name: windows`), which cannot set the field, are skipped.
# related_resources:
#   - ref: https://media.defense.gov/2022/Aug/29/2003066362/-1/-1/0/CTR_KUBERNETES_HARDENING_GUIDANCE_1.2_20220829.PDF
#     description: NSA/CISA Kubernetes Hardening Guide (immutable container file systems)
#   - ref: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security-context-1
#     description: Container securityContext API reference (readOnlyRootFilesystem)
# custom:
#   targets: [workload]
#   why: |
#     a writable root filesystem lets an attacker who gets code execution drop
#     tools, replace binaries or libraries and persist changes for the life of the container; a
#     read-only one limits writes to the volumes the pod declares, where they are visible and
#     bounded.
#   remediation: |
#     Set `securityContext.readOnlyRootFilesystem: true` on every container (it cannot be set on
#     the pod), and mount an `emptyDir` volume at each path the process must write (`/tmp`, a
#     cache or a buffer directory).
package rampart.checks.writable_root_filesystem.kubernetes

import rego.v1

import data.rampart.lib.kubernetes.containers
import data.rampart.lib.security_context.is_windows

deny contains {"msg": msg, "path": array.concat(c.path, ["securityContext", "readOnlyRootFilesystem"])} if {
	not is_windows
	some c in containers
	not c.container.securityContext.readOnlyRootFilesystem == true
	msg := message(c)
}

message(c) := sprintf("container `%s` has a writable root filesystem (readOnlyRootFilesystem: %s)", [c.name, json.marshal(value)]) if {
	value := c.container.securityContext.readOnlyRootFilesystem
	value != null
}

message(c) := sprintf("container `%s` has a writable root filesystem: readOnlyRootFilesystem is not set", [c.name]) if {
	not sets_read_only(c.container)
}

sets_read_only(container) if container.securityContext.readOnlyRootFilesystem != null
