# METADATA
# description: |
#   A container or init container of any workload without `resources.requests.cpu`.
#   Ephemeral containers cannot set resources and are not checked. As Kubernetes defaults a
#   missing request to the container's limit, a container with `resources.limits.cpu` is not
#   reported; nor is one in a namespace where a LimitRange of the run (`type: Container`)
#   supplies a CPU request (`defaultRequest`, `default`, `max` or `min`).
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     description: Resource Management for Pods and Containers
#   - ref: https://kubernetes.io/docs/concepts/policy/limit-range/
#     description: Limit Ranges
# custom:
#   targets: [workload]
#   why: |
#     the scheduler places pods by their requests. A pod without a CPU request
#     is counted as needing none, so nodes get overcommitted, the pod runs in the BestEffort or
#     Burstable class and gets only a minimal CPU share when the node is busy.
#   remediation: |
#     Set `resources.requests.cpu` to what the container uses under normal load (for example
#     `250m`), measured from its metrics; or give the namespace a LimitRange with a
#     `defaultRequest`.
package rampart.checks.missing_cpu_request.kubernetes

import rego.v1

import data.rampart.lib.resources
import data.rampart.lib.resources.settable_containers

deny contains {"msg": msg, "path": resources.path(c, "requests", "cpu")} if {
	some c in settable_containers
	# The container's own field first: most containers set it, and on the RVM the function
	# call that the test needs costs thousands of machine instructions.
	object.get(c.container, ["resources", "requests", "cpu"], null) == null
	resources.missing(c.container, "requests", "cpu")
	msg := sprintf("%s has no CPU request", [resources.describe(c)])
}
