# METADATA
# description: |
#   A container or init container of any workload without `resources.limits.cpu`. Ephemeral
#   containers cannot set resources and are not checked. A container in a namespace where a
#   LimitRange of the run (`type: Container`) supplies a CPU limit (`default` or `max`) is not
#   reported.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     description: Resource Management for Pods and Containers
#   - ref: https://kubernetes.io/docs/concepts/policy/limit-range/
#     description: Limit Ranges
# custom:
#   targets: [workload]
#   why: |
#     without a CPU limit a busy container can use every idle core of its node
#     and slow its neighbours down, and the pod can never be in the Guaranteed QoS class.
#   remediation: |
#     Set `resources.limits.cpu` (for example `1` or `500m`), at or above the CPU request; or
#     give the namespace a LimitRange with a `default` CPU limit.
package rampart.checks.missing_cpu_limit.kubernetes

import rego.v1

import data.rampart.lib.resources
import data.rampart.lib.resources.settable_containers

deny contains {"msg": msg, "path": resources.path(c, "limits", "cpu")} if {
	some c in settable_containers
	# The container's own field first: most containers set it, and on the RVM the function
	# call that the test needs costs thousands of machine instructions.
	object.get(c.container, ["resources", "limits", "cpu"], null) == null
	resources.missing(c.container, "limits", "cpu")
	msg := sprintf("%s has no CPU limit", [resources.describe(c)])
}
