# METADATA
# description: |
#   A container or init container of any workload without `resources.requests.memory`.
#   Ephemeral containers cannot set resources and are not checked. As Kubernetes defaults a
#   missing request to the container's limit, a container with `resources.limits.memory` is
#   not reported; nor is one in a namespace where a LimitRange of the run (`type: Container`)
#   supplies a memory request (`defaultRequest`, `default`, `max` or `min`).
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     description: Resource Management for Pods and Containers
#   - ref: https://kubernetes.io/docs/concepts/policy/limit-range/
#     description: Limit Ranges
# custom:
#   targets: [workload]
#   why: |
#     the scheduler places pods by their requests. A pod without a memory
#     request is counted as needing none, so it lands on nodes that cannot hold it, and under
#     memory pressure the kubelet evicts it before pods that declared what they need.
#   remediation: |
#     Set `resources.requests.memory` to the container's working set under normal load (for
#     example `256Mi`), measured from its metrics; or give the namespace a LimitRange with a
#     `defaultRequest`.
package rampart.checks.missing_memory_request.kubernetes

import rego.v1

import data.rampart.lib.resources
import data.rampart.lib.resources.settable_containers

deny contains {"msg": msg, "path": resources.path(c, "requests", "memory")} if {
	some c in settable_containers
	# The container's own field first: most containers set it, and on the RVM the function
	# call that the test needs costs thousands of machine instructions.
	object.get(c.container, ["resources", "requests", "memory"], null) == null
	resources.missing(c.container, "requests", "memory")
	msg := sprintf("%s has no memory request", [resources.describe(c)])
}
