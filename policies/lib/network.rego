# Helpers for the NetworkPolicy checks: which pods a NetworkPolicy selects and for which
# directions, and the pods of every workload of a namespace. Functions only (see
# lib/spread.rego): a rule here would be evaluated for every object of every check importing it.
package rampart.lib.network

import rego.v1

import data.rampart.lib.selectors

# `spec.podSelector` is a required field whose Go type is not a pointer: left out or null, the
# API server stores an empty selector, which selects every pod of the namespace.
pod_selector(policy) := policy.spec.podSelector if has_pod_selector(policy)

pod_selector(policy) := {} if not has_pod_selector(policy)

has_pod_selector(policy) if policy.spec.podSelector != null

selects(policy, labels) if selectors.matches(pod_selector(policy), labels)

# The directions a NetworkPolicy isolates its pods for. Without `policyTypes` (or with an empty
# list) the API server defaults it to Ingress, plus Egress when the policy has egress rules.
# A listed direction with no rules is a deny-all for it: the pods are still selected.
policy_types(policy) := {t | some t in policy.spec.policyTypes} if lists_types(policy)

policy_types(policy) := {"Ingress", "Egress"} if {
	not lists_types(policy)
	has_egress_rules(policy)
}

policy_types(policy) := {"Ingress"} if {
	not lists_types(policy)
	not has_egress_rules(policy)
}

lists_types(policy) if {
	is_array(policy.spec.policyTypes)
	count(policy.spec.policyTypes) > 0
}

has_egress_rules(policy) if {
	is_array(policy.spec.egress)
	count(policy.spec.egress) > 0
}

# The directions that some NetworkPolicy of namespace `ns` isolates pods with `labels` for. The
# candidates are the policies whose podSelector has one of the pod's labels in matchLabels, and
# those without matchLabels (the index); each is then matched in full. A null podSelector,
# which the API server stores as `{}`, is handled apart so that the common case stays one
# selector match.
isolating_directions(ns, labels) := matched | unselective if {
	index := data.rampart.index.network_policies[ns]
	candidates := {policy | some policy in index.other} | {policy |
		some key, value in selectors.object_or_empty(labels)
		some policy in index.by_label[key][value]
	}
	matched := {direction |
		some [_, _, policy] in candidates
		selectors.matches(object.get(policy, ["spec", "podSelector"], {}), labels)
		some direction in policy_types(policy)
	}
	unselective := {direction |
		some [_, _, policy] in index.other
		policy.spec.podSelector == null
		some direction in policy_types(policy)
	}
}

isolating_directions(ns, _) := set() if not data.rampart.index.network_policies[ns]

# Some workload of namespace `ns` has pods that `selector` selects. With matchLabels, the
# candidates are the workloads carrying one of its pairs; a selector without labels or
# expressions selects any workload; only expression-only selectors scan. (Malformed matchLabels
# select nothing.)
selects_some(ns, selector) if {
	is_object(selector)
	without_labels(selector)
	without_expressions(selector)
	count(data.rampart.index.workloads[ns]) > 0
}

selects_some(ns, selector) if {
	match_labels := selector.matchLabels
	is_object(match_labels)
	index := data.rampart.index
	some key, value in match_labels
	some candidate in index.pods[ns][key][value]
	selectors.matches(selector, pod_labels(candidate.value))
}

selects_some(ns, selector) if {
	without_labels(selector)
	not without_expressions(selector)
	some [_, _, _, obj] in data.rampart.index.workloads[ns]
	selectors.matches(selector, pod_labels(obj))
}

without_labels(selector) if object.get(selector, "matchLabels", null) in {null, {}}

without_expressions(selector) if object.get(selector, "matchExpressions", null) in {null, []}

# The first `n` NetworkPolicies of namespace `ns` by name, as [name, apiVersion, policy].
first_policies(ns, n) := array.slice(data.rampart.index.network_policies[ns].sorted, 0, n)

# The first `n` workloads of namespace `ns` by kind and name, as [kind, name, apiVersion, object].
first_workloads(ns, n) := array.slice(data.rampart.index.workloads[ns], 0, n)

pod_labels_path(obj) := ["metadata", "labels"] if obj.kind == "Pod"

pod_labels_path(obj) := ["spec", "jobTemplate", "spec", "template", "metadata", "labels"] if {
	obj.kind == "CronJob"
}

pod_labels_path(obj) := ["spec", "template", "metadata", "labels"] if not obj.kind in {"Pod", "CronJob"}

# The labels a workload object's pods carry.
pod_labels(obj) := selectors.object_or_empty(object.get(obj, pod_labels_path(obj), {}))
