# METADATA
# description: |
#   A container or init container of any workload without `resources.limits.memory`.
#   Ephemeral containers cannot set resources and are not checked. A container in a namespace
#   where a LimitRange of the run (`type: Container`) supplies a memory limit (`default` or
#   `max`) is not reported.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     description: Resource Management for Pods and Containers
#   - ref: https://kubernetes.io/docs/concepts/policy/limit-range/
#     description: Limit Ranges
# custom:
#   targets: [workload]
#   why: |
#     a container without a memory limit can grow until the node runs out of
#     memory; the kernel's OOM killer then picks processes across the node, and the kubelet
#     evicts other pods to recover.
#   remediation: |
#     Set `resources.limits.memory` (for example `512Mi`), at or above the memory request; or
#     give the namespace a LimitRange with a `default` memory limit.
package rampart.checks.missing_memory_limit.kubernetes

import rego.v1

import data.rampart.lib.resources
import data.rampart.lib.resources.settable_containers

deny contains {"msg": msg, "path": resources.path(c, "limits", "memory")} if {
	some c in settable_containers
	# The container's own field first: most containers set it, and on the RVM the function
	# call that the test needs costs thousands of machine instructions.
	object.get(c.container, ["resources", "limits", "memory"], null) == null
	resources.missing(c.container, "limits", "memory")
	msg := sprintf("%s has no memory limit", [resources.describe(c)])
}
