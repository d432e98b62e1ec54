# Helpers for the NetworkPolicy checks: which pods a NetworkPolicy selects and for which
# directions, and the pods of every workload of a namespace. Functions only (see
# lib/spread.rego): a rule here would be evaluated for every object of every check importing it.
package rampart.lib.network

import rego.v1

import data.rampart.lib.selectors

# `spec.podSelector` is a required field whose Go type is not a pointer: left out or null, the
# API server stores an empty selector, which selects every pod of the namespace.
pod_selector(policy) := selector if {
	selector := policy.spec.podSelector
	selector != null
} else := {}

selects(policy, labels) if rampart.selector_matches(pod_selector(policy), labels)

# The directions a NetworkPolicy isolates its pods for. Without `policyTypes` (or with an empty
# list) the API server defaults it to Ingress, plus Egress when the policy has egress rules.
# A listed direction with no rules is a deny-all for it: the pods are still selected.
policy_types(policy) := {t | some t in policy.spec.policyTypes} if {
	is_array(policy.spec.policyTypes)
	count(policy.spec.policyTypes) > 0
} else := {"Ingress", "Egress"} if {
	is_array(policy.spec.egress)
	count(policy.spec.egress) > 0
} else := {"Ingress"}

# The directions that some NetworkPolicy of namespace `ns` isolates pods with `labels` for. This
# runs for every workload against every policy of its namespace: the selector is matched inline
# (in regorus a function call costs as much as the match), and a null podSelector, which the API
# server stores as `{}`, is handled apart so that the common case stays one builtin call.
isolating_directions(ns, labels) := matched | unselective if {
	matched := {direction |
		some api_version
		some policy in data.inventory.namespace[ns][api_version].NetworkPolicy
		rampart.selector_matches(object.get(policy, ["spec", "podSelector"], {}), labels)
		some direction in policy_types(policy)
	}
	unselective := {direction |
		some api_version
		some policy in data.inventory.namespace[ns][api_version].NetworkPolicy
		policy.spec.podSelector == null
		some direction in policy_types(policy)
	}
}

# Some workload of namespace `ns` has pods that `selector` selects (inline, for the same reason:
# this runs for every NetworkPolicy against every workload of its namespace).
selects_some(ns, selector) if {
	some api_version, kind
	objs := data.inventory.namespace[ns][api_version][kind]
	kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"}
	some obj in objs
	rampart.selector_matches(selector, object.get(obj, ["spec", "template", "metadata", "labels"], {}))
}

selects_some(ns, selector) if {
	some api_version
	some obj in data.inventory.namespace[ns][api_version].Pod
	rampart.selector_matches(selector, object.get(obj, ["metadata", "labels"], {}))
}

selects_some(ns, selector) if {
	some api_version
	some obj in data.inventory.namespace[ns][api_version].CronJob
	rampart.selector_matches(selector, object.get(obj, ["spec", "jobTemplate", "spec", "template", "metadata", "labels"], {}))
}

# The NetworkPolicies of namespace `ns`, sorted by name: [name, apiVersion, policy].
policies(ns) := sort([[name, api_version, policy] |
	some api_version, name
	policy := data.inventory.namespace[ns][api_version].NetworkPolicy[name]
])

# The workloads of namespace `ns`, sorted by kind and name: [kind, name, apiVersion, object].
workloads(ns) := sort([[kind, name, api_version, obj] |
	some api_version
	some kind in {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}
	some name, obj in data.inventory.namespace[ns][api_version][kind]
])

# Path from an object's root to the labels its pods carry.
pod_labels_path(obj) := ["metadata", "labels"] if {
	obj.kind == "Pod"
} else := ["spec", "jobTemplate", "spec", "template", "metadata", "labels"] if {
	obj.kind == "CronJob"
} else := ["spec", "template", "metadata", "labels"]

# The labels a workload object's pods carry.
pod_labels(obj) := selectors.object_or_empty(object.get(obj, pod_labels_path(obj), {}))
