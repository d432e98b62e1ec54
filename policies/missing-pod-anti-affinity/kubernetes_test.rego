package rampart.checks.missing_pod_anti_affinity.kubernetes_test

import rego.v1

import data.rampart.checks.missing_pod_anti_affinity.kubernetes as check

workload(kind, replicas, pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {
		"replicas": replicas,
		"selector": {"matchLabels": {"app": "web"}},
		"template": {"metadata": {"labels": {"app": "web", "tier": "front"}}, "spec": pod_spec},
	},
}

required(terms) := {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": terms}}}

preferred(terms) := {"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": t} | some t in terms]}}}

term(selector) := {"topologyKey": "kubernetes.io/hostname", "labelSelector": selector}

web := {"matchLabels": {"app": "web"}}

base := ["spec", "template", "spec", "affinity", "podAntiAffinity"]

findings(obj) := f if {
	f := check.deny with input as obj with data.inventory as {} with data.rampart.index as rampart.inventory_index({})
}

passes(obj) if count(findings(obj)) == 0

test_no_affinity_is_reported_where_it_belongs if {
	results := findings(workload("Deployment", 3, {}))
	count(results) == 1
	some r in results
	r.path == base
	r.msg == "Deployment `web` runs 3 replicas (spec.replicas) with no podAntiAffinity term on kubernetes.io/hostname that selects its own pods, so nothing keeps its replicas apart"
	r.related == []
}

test_every_replicated_kind if {
	every kind in ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"] {
		count(findings(workload(kind, 2, {}))) == 1
	}
}

test_daemonset_is_not_checked if passes(workload("DaemonSet", 3, {}))

test_single_replica_passes if passes(workload("Deployment", 1, {}))

test_absent_replicas_pass if {
	passes(json.remove(workload("Deployment", 3, {}), ["spec/replicas"]))
}

test_required_term_passes if passes(workload("Deployment", 3, required([term(web)])))

test_preferred_term_passes if passes(workload("Deployment", 3, preferred([term(web)])))

test_match_expressions_operators if {
	passes(workload("Deployment", 3, required([term({"matchExpressions": [{"key": "app", "operator": "In", "values": ["api", "web"]}]})])))
	passes(workload("Deployment", 3, required([term({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]})])))
	passes(workload("Deployment", 3, required([term({"matchExpressions": [{"key": "tier", "operator": "Exists"}]})])))
	passes(workload("Deployment", 3, required([term({"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]})])))
}

test_match_expressions_that_exclude_own_pods if {
	every selector in [
		{"matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}]},
		{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]},
		{"matchExpressions": [{"key": "canary", "operator": "Exists"}]},
		{"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]},
		{"matchLabels": {"app": "web", "canary": "true"}},
	] {
		results := findings(workload("Deployment", 3, required([term(selector)])))
		count(results) == 1
		some r in results
		r.path == array.concat(base, ["requiredDuringSchedulingIgnoredDuringExecution", 0, "labelSelector"])
	}
}

test_selector_of_another_app_is_reported_as_such if {
	results := findings(workload("Deployment", 3, preferred([term({"matchLabels": {"app": "api"}})])))
	count(results) == 1
	some r in results
	r.path == array.concat(base, ["preferredDuringSchedulingIgnoredDuringExecution", 0, "podAffinityTerm", "labelSelector"])
	r.msg == "Deployment `web` runs 3 replicas (spec.replicas), but its preferred podAntiAffinity term has a labelSelector (app=api) that does not match the pod's own labels (app=web, tier=front), so nothing keeps its replicas apart"
}

test_wrong_topology_key if {
	t := {"topologyKey": "topology.kubernetes.io/zone", "labelSelector": web}
	results := findings(workload("Deployment", 3, required([t])))
	some r in results
	r.path == array.concat(base, ["requiredDuringSchedulingIgnoredDuringExecution", 0, "topologyKey"])
	contains(r.msg, "uses topologyKey topology.kubernetes.io/zone, which is not in anti-affinity-topology-keys (kubernetes.io/hostname)")
}

test_topology_keys_param if {
	t := {"topologyKey": "topology.kubernetes.io/zone", "labelSelector": web}
	params := {"anti-affinity-topology-keys": ["topology.kubernetes.io/zone"], "min-replicas": 2}
	count(check.deny) == 0 with input as workload("Deployment", 3, required([t])) with data.inventory as {} with data.rampart.index as rampart.inventory_index({}) with data.rampart.params as params
}

test_namespaces_excluding_own if {
	t := object.union(term(web), {"namespaces": ["billing"]})
	results := findings(workload("Deployment", 3, required([t])))
	some r in results
	r.path == array.concat(base, ["requiredDuringSchedulingIgnoredDuringExecution", 0, "namespaces"])
	passes(workload("Deployment", 3, required([object.union(term(web), {"namespaces": ["billing", "shop"]})])))
}

test_empty_namespace_selector_passes if {
	passes(workload("Deployment", 3, required([object.union(term(web), {"namespaceSelector": {}})])))
}

test_namespace_selector_and_namespace_object if {
	t := object.union(term(web), {"namespaceSelector": {"matchLabels": {"team": "shop"}}})
	obj := workload("Deployment", 3, required([t]))
	labelled := {"cluster": {"v1": {"Namespace": {"shop": {"metadata": {"name": "shop", "labels": {"team": "shop"}}}}}}}
	unlabelled := {"cluster": {"v1": {"Namespace": {"shop": {"metadata": {"name": "shop"}}}}}}
	count(check.deny) == 0 with input as obj with data.inventory as labelled with data.rampart.index as rampart.inventory_index(labelled)
	results := check.deny with input as obj with data.inventory as unlabelled with data.rampart.index as rampart.inventory_index(unlabelled)
	some r in results
	r.path == array.concat(base, ["requiredDuringSchedulingIgnoredDuringExecution", 0, "namespaceSelector"])
	# Not in the run: benefit of the doubt.
	passes(obj)
}

test_good_term_next_to_bad_ones_passes if {
	passes(workload("Deployment", 3, required([term({"matchLabels": {"app": "db"}}), term(web)])))
}

test_nearest_miss_is_reported_and_the_others_related if {
	far := {"topologyKey": "topology.kubernetes.io/zone", "labelSelector": {"matchLabels": {"app": "db"}}}
	near := term({"matchLabels": {"app": "api"}})
	spec := {"affinity": {"podAntiAffinity": {
		"requiredDuringSchedulingIgnoredDuringExecution": [far],
		"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "podAffinityTerm": near}],
	}}}
	results := findings(workload("Deployment", 3, spec))
	count(results) == 1
	some r in results
	r.path == array.concat(base, ["preferredDuringSchedulingIgnoredDuringExecution", 0, "podAffinityTerm", "labelSelector"])
	count(r.related) == 1
	r.related[0].path == array.concat(base, ["requiredDuringSchedulingIgnoredDuringExecution", 0, "labelSelector"])
	startswith(r.related[0].msg, "this required podAntiAffinity term does not keep the replicas apart either: it has a labelSelector (app=db)")
	contains(r.related[0].msg, " and uses topologyKey topology.kubernetes.io/zone")
}

test_term_without_selector if {
	results := findings(workload("Deployment", 3, required([{"topologyKey": "kubernetes.io/hostname"}])))
	some r in results
	r.path == array.concat(base, ["requiredDuringSchedulingIgnoredDuringExecution", 0, "labelSelector"])
	contains(r.msg, "has no labelSelector, so it selects no pods")
}

hpa(min) := {
	"apiVersion": "autoscaling/v2",
	"kind": "HorizontalPodAutoscaler",
	"metadata": {"name": "web-hpa", "namespace": "shop"},
	"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": min, "maxReplicas": 10},
}

hpa_inventory(min) := {"namespace": {"shop": {"autoscaling/v2": {"HorizontalPodAutoscaler": {"web-hpa": hpa(min)}}}}}

test_hpa_makes_a_single_replica_replicated if {
	results := check.deny with input as workload("Deployment", 1, {}) with data.inventory as hpa_inventory(4) with data.rampart.index as rampart.inventory_index(hpa_inventory(4))
	count(results) == 1
	some r in results
	r.msg == "Deployment `web` runs at least 4 replicas (minReplicas of HorizontalPodAutoscaler `web-hpa`) with no podAntiAffinity term on kubernetes.io/hostname that selects its own pods, so nothing keeps its replicas apart"
	r.related == [{
		"msg": "minReplicas 4 of this HorizontalPodAutoscaler sets the replica count of Deployment `web`",
		"path": ["spec", "minReplicas"],
		"object": {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "name": "web-hpa", "namespace": "shop"},
	}]
}

test_hpa_min_replicas_one_wins_over_spec_replicas if {
	count(check.deny) == 0 with input as workload("Deployment", 3, {}) with data.inventory as hpa_inventory(1) with data.rampart.index as rampart.inventory_index(hpa_inventory(1))
}

# A parameter that is set is taken as it is, null and false included; only a missing one
# falls back to the default.
test_parameters_and_their_defaults if {
	check.min_replicas == 2 with data.rampart.params as {}
	check.topology_keys == ["kubernetes.io/hostname"] with data.rampart.params as {}
	check.min_replicas == 3 with data.rampart.params as {"min-replicas": 3}
	check.topology_keys == ["a", "b"] with data.rampart.params as {"anti-affinity-topology-keys": ["a", "b"]}
	every value in [null, false, "", []] {
		check.min_replicas == value with data.rampart.params as {"min-replicas": value}
		check.topology_keys == value with data.rampart.params as {"anti-affinity-topology-keys": value}
	}
}
