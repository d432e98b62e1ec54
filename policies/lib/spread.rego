# Helpers for the spread checks: the effective replica count of a workload (its
# HorizontalPodAutoscaler's minReplicas wins over spec.replicas), and why a podAntiAffinity term
# or a topologySpreadConstraints entry does or does not spread the workload's own replicas.
#
# Everything here is a function, and the checks read the parameters: regorus evaluates every rule
# of a package as soon as one of them is referenced (calling a function does not), so each rule
# here would cost every check that imports this package on every object.
package rampart.lib.spread

import rego.v1

import data.rampart.lib.selectors

# The pod spec of every replicated kind.
pod_spec(obj) := object.get(obj, ["spec", "template", "spec"], {})

pod_labels(obj) := selectors.object_or_empty(object.get(obj, ["spec", "template", "metadata", "labels"], {}))

name(obj) := object.get(obj, ["metadata", "name"], "<unnamed>")

namespace(obj) := obj.metadata.namespace if is_string(obj.metadata.namespace)

namespace(obj) := data.rampart.params["default-namespace"] if not is_string(obj.metadata.namespace)

namespace(obj) := "default" if {
	not is_string(obj.metadata.namespace)
	not data.rampart.params["default-namespace"]
}

# ---- replicas ------------------------------------------------------------------------------

# The API group of an apiVersion: `apps` for `apps/v1`, "" for the core `v1`.
group(api_version) := split(api_version, "/")[0] if qualified(api_version)

group(api_version) := "" if not qualified(api_version)

qualified(api_version) if count(split(api_version, "/")) == 2

# HorizontalPodAutoscalers of the object's namespace whose scaleTargetRef names it (kind and
# name; the API group must agree when the reference gives an apiVersion), lowest minReplicas
# first, as [minReplicas, name, apiVersion].
# The index lists the HPAs of a namespace by the name their scaleTargetRef gives.
hpas(obj) := sort([[hpa_min(hpa), hpa_name, api_version] |
	ns := namespace(obj)
	some [api_version, hpa_name, hpa] in data.rampart.index.hpas[ns][obj.metadata.name]
	ref := hpa.spec.scaleTargetRef
	ref.kind == obj.kind
	ref.name == obj.metadata.name
	same_group(object.get(ref, "apiVersion", ""), obj.apiVersion)
])

same_group(ref_api_version, _) if ref_api_version in {"", null}

same_group(ref_api_version, api_version) if {
	is_string(ref_api_version)
	group(ref_api_version) == group(api_version)
}

hpa_min(hpa) := hpa.spec.minReplicas if is_number(hpa.spec.minReplicas)

hpa_min(hpa) := 1 if not is_number(hpa.spec.minReplicas)

# The effective replica count, {"count", "source", "hpa"?}. An HPA owns the count once it
# targets the workload, so its minReplicas wins over spec.replicas in both directions (several
# HPAs on one target fight each other; the lowest minReplicas is taken). Without an HPA,
# spec.replicas, absent = 1. A non-numeric spec.replicas gives no count.
replicas(obj) := replicas_of(obj, hpas(obj))

replicas_of(_, found) := {"count": chosen[0], "source": "hpa", "hpa": {"apiVersion": chosen[2], "name": chosen[1]}} if {
	count(found) > 0
	chosen := found[0]
}

replicas_of(obj, found) := {"count": n, "source": "spec"} if {
	count(found) == 0
	n := object.get(obj, ["spec", "replicas"], null)
	is_number(n)
}

replicas_of(obj, found) := {"count": 1, "source": "default"} if {
	count(found) == 0
	object.get(obj, ["spec", "replicas"], null) == null
}

# The input's replica count when it is a replicated workload (at least `min_replicas`, the
# parameter); undefined for anything else. Only Deployments, StatefulSets, ReplicaSets and
# ReplicationControllers are replicated: a DaemonSet runs one pod per node by construction, and
# Pods, Jobs and CronJobs are not replicated services. The input's replicas and anti-affinity
# terms are rules: a rule is computed once per resource and shared by the checks that read it
# (both spread checks do), a function at every call.
input_replicated(min_replicas) := r if {
	input.kind in replicated_kinds
	r = input_replicas
	r.count >= min_replicas
}

replicated_kinds := {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}

input_replicas := replicas(input)

# On the RVM rampart reads the terms and constraints once in Rust (src/policy/facts.rs), each
# with whether it selects the pod's own replicas (`selects_own_pods`), and gives them at
# `data.rampart.facts`; elsewhere they are read here.
input_anti_affinity_terms := data.rampart.facts.anti_affinity_terms if is_array(data.rampart.facts.anti_affinity_terms)

input_anti_affinity_terms := anti_affinity_terms(input) if not is_array(data.rampart.facts.anti_affinity_terms)

input_spread_constraints := data.rampart.facts.spread_constraints if is_array(data.rampart.facts.spread_constraints)

input_spread_constraints := spread_constraints(input) if not is_array(data.rampart.facts.spread_constraints)

# `3 replicas (spec.replicas)`, `at least 5 replicas (minReplicas of HorizontalPodAutoscaler
# \`worker\`)`, `1 replica (spec.replicas is not set)`.
replicas_phrase(r) := sprintf("at least %v %s (minReplicas of HorizontalPodAutoscaler `%s`)", [r.count, noun(r.count), r.hpa.name]) if {
	r.source == "hpa"
}

replicas_phrase(r) := sprintf("%v %s (spec.replicas)", [r.count, noun(r.count)]) if {
	r.source == "spec"
}

replicas_phrase(r) := "1 replica (spec.replicas is not set)" if r.source == "default"

noun(n) := "replica" if n == 1

noun(n) := "replicas" if n != 1

# Related locations for the count: the HPA that sets it, if any.
replicas_related(obj, r) := [{
	"msg": sprintf("minReplicas %v of this HorizontalPodAutoscaler sets the replica count of %s `%s`", [r.count, obj.kind, name(obj)]),
	"path": ["spec", "minReplicas"],
	"object": {
		"apiVersion": r.hpa.apiVersion,
		"kind": "HorizontalPodAutoscaler",
		"name": r.hpa.name,
		"namespace": namespace(obj),
	},
}] if {
	r.source == "hpa"
}

replicas_related(_, r) := [] if r.source != "hpa"

# ---- terms -----------------------------------------------------------------------------------

# Every podAntiAffinity term, required or preferred (its podAffinityTerm), with its path:
# {"term", "path", "kind", "order"}.
anti_affinity_terms(obj) := array.concat(
	[{"term": term, "path": ["spec", "template", "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution", i], "kind": "required", "order": [0, i]} |
		is_array(pod_spec(obj).affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution)
		some i, term in pod_spec(obj).affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution
	],
	[{"term": weighted.podAffinityTerm, "path": ["spec", "template", "spec", "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution", i, "podAffinityTerm"], "kind": "preferred", "order": [1, i]} |
		is_array(pod_spec(obj).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution)
		some i, weighted in pod_spec(obj).affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution
		is_object(weighted.podAffinityTerm)
	],
)

# Every topologySpreadConstraints entry with its path.
spread_constraints(obj) := [{"term": constraint, "path": ["spec", "template", "spec", "topologySpreadConstraints", i], "kind": "", "order": [0, i]} |
	is_array(pod_spec(obj).topologySpreadConstraints)
	some i, constraint in pod_spec(obj).topologySpreadConstraints
]

# The usual sound term, recognised in one call: it selects the workload's own pods (as the facts
# say), its topologyKey is one of `keys`, and it lists no namespaces and no namespaceSelector,
# so it applies in the pod's own namespace. Such a term has no defects (below); the checks ask
# this first and compute defects only when no term passes, since the defect functions make a
# dozen calls per term and on the RVM each call costs thousands of machine instructions.
sound(t, keys) if {
	t.selects_own_pods == true
	is_object(t.term)
	t.term.topologyKey in keys
	object.get(t.term, "namespaces", null) == null
	object.get(t.term, "namespaceSelector", null) == null
}

# Why a podAntiAffinity term (`t`: an entry of `anti_affinity_terms`) does not keep the
# workload's own replicas apart, as a list of {"field", "reason"} (field: the key of the term at
# fault); empty when it does. `keys`: the anti-affinity-topology-keys parameter.
anti_affinity_defects(obj, t, keys) := array.concat(
	array.concat(selector_defects(obj, t), key_defects(t.term, keys, "anti-affinity-topology-keys")),
	namespace_defects(obj, t.term),
)

# Why a topologySpreadConstraints entry (`t`: an entry of `spread_constraints`) does not spread
# the workload's own replicas. A constraint only ever counts pods of the pod's own namespace.
# `keys`: the spread-topology-keys parameter.
spread_defects(obj, t, keys) := array.concat(
	selector_defects(obj, t),
	key_defects(t.term, keys, "spread-topology-keys"),
)

# The term's labelSelector must select the pod's own labels. A missing labelSelector selects no
# pods. mismatchLabelKeys (anti-affinity only) adds `key NotIn (own value)`, which excludes the
# pod's own replicas; matchLabelKeys adds `key In (own value)`, which keeps them.
selector_defects(obj, t) := [] if own_pods_selected(obj, t)

selector_defects(obj, t) := selector_misses(obj, t.term, object.get(t.term, "labelSelector", null)) if {
	not own_pods_selected(obj, t)
}

# `selects_own_pods` of the entry `t`: read from the facts when they say it.
own_pods_selected(_, t) if t.selects_own_pods == true

own_pods_selected(obj, t) if {
	not is_boolean(t.selects_own_pods)
	selects_own_pods(obj, t.term)
}

selector_misses(_, _, selector) := [{"field": "labelSelector", "reason": "has no labelSelector, so it selects no pods"}] if {
	selector == null
}

selector_misses(obj, term, selector) := [{"field": "mismatchLabelKeys", "reason": reason}] if {
	selector != null
	selectors.matches(selector, pod_labels(obj))
	reason := sprintf("excludes the pod's own replicas through mismatchLabelKeys (%s)", [concat(", ", excluding_keys(obj, term))])
}

selector_misses(obj, _, selector) := [{"field": "labelSelector", "reason": reason}] if {
	selector != null
	not selectors.matches(selector, pod_labels(obj))
	reason := sprintf("has a labelSelector (%s) that does not match the pod's own labels (%s)", [
		selectors.describe(selector),
		selectors.labels_string(pod_labels(obj)),
	])
}

selects_own_pods(obj, term) if {
	selectors.matches(object.get(term, "labelSelector", null), pod_labels(obj))
	count(excluding_keys(obj, term)) == 0
}

excluding_keys(obj, term) := sort([key |
	some key in selectors.array_or_empty(object.get(term, "mismatchLabelKeys", []))
	_ = pod_labels(obj)[key]
])

key_defects(term, keys, _) := [] if uses_key(term, keys)

key_defects(term, keys, param_name) := [{"field": "topologyKey", "reason": reason}] if {
	not uses_key(term, keys)
	reason := sprintf("uses topologyKey %v, which is not in %s (%s)", [
		object.get(term, "topologyKey", "<none>"),
		param_name,
		concat(", ", keys),
	])
}

# Which namespaces a podAntiAffinity term covers: the union of `namespaces` and the namespaces
# its namespaceSelector selects; neither set means the pod's own namespace; `{}` selects all.
namespace_defects(obj, term) := [] if includes_own_namespace(namespace(obj), term)

namespace_defects(obj, term) := [{"field": "namespaceSelector", "reason": reason}] if {
	not includes_own_namespace(namespace(obj), term)
	is_object(term.namespaceSelector)
	reason := sprintf("has a namespaceSelector (%s) that does not select the pod's own namespace `%s`", [
		selectors.describe(term.namespaceSelector),
		namespace(obj),
	])
}

namespace_defects(obj, term) := [{"field": "namespaces", "reason": reason}] if {
	not includes_own_namespace(namespace(obj), term)
	not is_object(term.namespaceSelector)
	reason := sprintf("lists namespaces (%s) without the pod's own namespace `%s`", [
		concat(", ", [sprintf("%v", [n]) | some n in namespaces(term)]),
		namespace(obj),
	])
}

uses_key(term, keys) if term.topologyKey in keys

namespaces(term) := selectors.array_or_empty(object.get(term, "namespaces", []))

includes_own_namespace(_, term) if {
	count(namespaces(term)) == 0
	object.get(term, "namespaceSelector", null) == null
}

includes_own_namespace(ns, term) if ns in namespaces(term)

includes_own_namespace(ns, term) if {
	selector := term.namespaceSelector
	is_object(selector)
	selectors.namespace_selected(selector, ns)
}

# Terms that do not count, each as [defect count, group, index, term, defects], nearest miss
# first: fewest defects, then required before preferred, then in order. `defects` holds the
# defects of every term, in the order of `terms`.
misses(terms, defects) := sort([[count(d), t.order[0], t.order[1], t, d] |
	some i, t in terms
	d := defects[i]
	count(d) > 0
])

# "has ... and uses ...": the reasons of a term's defects, joined.
reasons(defects) := concat(" and ", [d.reason | some d in defects])
