# METADATA
# description: |
#   A container or init container whose request for a resource is greater than its limit for
#   the same resource: `cpu`, `memory` and any other resource named under both `requests` and
#   `limits` (`ephemeral-storage`, `hugepages-2Mi`, `nvidia.com/gpu` ...). Values are compared
#   as Kubernetes quantities (`500m`, `1.5`, `512Mi`, `1G`, `2e3`, plain numbers), so
#   `cpu: 1` is less than `cpu: 1500m` and `memory: 1G` is less than `memory: 1Gi`; equal values
#   pass. A container that sets a request but no limit is compared with the limit a LimitRange
#   of the run (`type: Container`, in the workload's namespace) gives it (`default`, else
#   `max`). Values that are not valid quantities are left to other tools.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     description: Resource Management for Pods and Containers
#   - ref: https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
#     description: Quantity
#   - ref: https://kubernetes.io/docs/concepts/policy/limit-range/
#     description: Limit Ranges
# custom:
#   targets: [workload]
#   why: |
#     the API server rejects a pod whose request exceeds its limit, so the
#     manifest fails to apply or, when a LimitRange supplies the limit, the workload is accepted
#     but its pods are refused at admission and never start.
#   remediation: |
#     Lower the request or raise the limit so that the request is at most the limit; mind the
#     units (`1G` is 10^9 bytes, `1Gi` is 2^30; `1` CPU is `1000m`). When a LimitRange supplies
#     the limit, set an explicit limit on the container.
package rampart.checks.request_exceeds_limit.kubernetes

import rego.v1

import data.rampart.lib.numbers
import data.rampart.lib.resources
import data.rampart.lib.resources.settable_containers
import data.rampart.lib.kubernetes.namespace
import data.rampart.lib.resources.limit_ranges_here

# A request above the container's own limit.
deny contains {
	"msg": sprintf("%s requests more %s (%v) than its limit (%v)", [resources.describe(c), resource, request, limit]),
	"path": resources.path(c, "requests", resource),
	"related": [{"msg": sprintf("limit is %v", [limit]), "path": resources.path(c, "limits", resource)}],
} if {
	some c in settable_containers
	requests := c.container.resources.requests
	is_object(requests)
	some resource, request in requests
	limit := c.container.resources.limits[resource]
	# `greater` written out (keep the two alike): this body runs for every request that has a
	# limit, and on the RVM a function call costs thousands of machine instructions.
	r := numbers.quantity(request)
	l := numbers.quantity(limit)
	r - l > abs(l) * 1e-12
}

# A request above the limit a LimitRange gives the container, which sets none.
deny contains {
	"msg": sprintf("%s requests more %s (%v) than the limit LimitRange `%s` gives it (%v)", [resources.describe(c), resource, request, d.object.name, d.value]),
	"path": resources.path(c, "requests", resource),
	"related": [{"msg": sprintf("the limit defaults to %v here", [d.value]), "path": d.path, "object": d.object}],
} if {
	limit_ranges_here
	some c in settable_containers
	requests := c.container.resources.requests
	is_object(requests)
	some resource, request in requests
	not resources.sets(c.container, "limits", resource)
	# `default_limits`, read where the unit's index holds it: building that set again on every
	# workload of a namespace with many LimitRanges cost more than the comparisons.
	some d in data.rampart.index.default_limits[namespace]
	d.resource == resource
	greater(request, d.value)
}

# request > limit as quantities. The relative margin absorbs floating-point rounding, so equal
# quantities written differently (`1100m`, `1.1`) never compare as greater.
greater(request, limit) if {
	r := numbers.quantity(request)
	l := numbers.quantity(limit)
	r - l > abs(l) * 1e-12
}
