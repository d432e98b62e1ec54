# METADATA
# description: |
#   A NetworkPolicy whose `spec.podSelector` matches the pod labels of no workload (Pod,
#   Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job or CronJob) of its
#   namespace. Selector semantics are the API server's: `matchLabels`, `matchExpressions` with
#   `In`, `NotIn`, `Exists`, `DoesNotExist`, and `{}` (or no selector) selects every pod. It is
#   reported only when the namespace has at least one workload in the run, so a directory of
#   policies linted on its own gives no finding. The workloads of the namespace (at most five)
#   are related locations, with the labels their pods carry.
#
#   Not reported when the namespace also holds custom resources (an object whose API group is
#   not one of Kubernetes' built-in groups, such as kube-prometheus's `Prometheus` and
#   `Alertmanager`): operators create pods from custom resources, with labels rampart cannot
#   see, so a policy that selects none of the run's workloads may well select theirs. Pods
#   created by an operator whose custom resources are not in the run are invisible too:
#   suppress the finding, with the reason, on a policy written for them.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/
#     description: Network Policies
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
#     description: Label selectors
# custom:
#   targets: [NetworkPolicy]
#   why: |
#     a policy that selects nothing isolates nothing. It usually means a typo in a
#     label or a label the pods never got, and the workloads it was written for are left open
#     while the policy suggests they are protected.
#   remediation: |
#     Make `spec.podSelector` match labels that the pod templates actually carry (see the
#     related locations), or add the label to the pod templates; delete the policy if its
#     workload is gone. For pods created by an operator, suppress the finding with
#     `ignore.rampart.dev/dangling-network-policy: "<reason>"`.
package rampart.checks.dangling_network_policy.kubernetes

import rego.v1

import data.rampart.lib.kubernetes as k8s
import data.rampart.lib.network
import data.rampart.lib.selectors
import data.rampart.lib.kubernetes.namespace

deny contains {"msg": msg, "path": ["spec", "podSelector"], "related": related} if {
	input.kind == "NetworkPolicy"
	ns := namespace
	selector := network.pod_selector(input)
	not selects_some_workload(ns, selector)
	not holds_custom_resources(ns)
	workloads := network.first_workloads(ns, 5)
	count(workloads) > 0
	msg := sprintf("NetworkPolicy `%s` selects %s, which matches the pods of no workload in namespace `%s`", [
		object.get(input, ["metadata", "name"], "<unnamed>"),
		selectors.describe(selector),
		ns,
	])
	related := [{
		"msg": sprintf("the pods of %s `%s` carry %s", [kind, name, selectors.labels_string(network.pod_labels(obj))]),
		"path": network.pod_labels_path(obj),
		"object": {"apiVersion": api_version, "kind": kind, "name": name, "namespace": ns},
	} |
		some [kind, name, api_version, obj] in workloads
	]
}

# Kubernetes' built-in API groups: the core group ("" in `v1`), the unqualified groups and every
# `*.k8s.io` group. Any other group belongs to a CustomResourceDefinition.
# Whether `selector` selects the pods of some workload of namespace `ns`: rampart's answer from
# the unit's index when it gives one (data.rampart.facts, built-in checks), else
# lib/network's, which scans the namespace's workloads for an expression-only selector.
selects_some_workload(_, _) if data.rampart.facts.selects_some_workload == true

selects_some_workload(ns, selector) if {
	not is_boolean(data.rampart.facts.selects_some_workload)
	network.selects_some(ns, selector)
}

builtin_groups := {
	"", "apps", "batch", "autoscaling", "policy", "extensions",
	"apiextensions.k8s.io", "apiregistration.k8s.io",
}

builtin_api_version(api_version) if {
	group := group_of(api_version)
	group in builtin_groups
}

builtin_api_version(api_version) if endswith(group_of(api_version), ".k8s.io")

group_of(api_version) := split(api_version, "/")[0] if qualified(api_version)

group_of(api_version) := "" if not qualified(api_version)

qualified(api_version) if count(split(api_version, "/")) == 2

# The namespace holds an object of a custom resource kind, whose operator may create pods.
holds_custom_resources(ns) if {
	some api_version, _ in data.inventory.namespace[ns]
	not builtin_api_version(api_version)
}

