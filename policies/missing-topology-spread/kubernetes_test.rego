package rampart.checks.missing_topology_spread.kubernetes_test

import rego.v1

import data.rampart.checks.missing_topology_spread.kubernetes as check

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

zone(selector) := {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": selector}

spread(constraints) := {"topologySpreadConstraints": constraints}

web := {"matchLabels": {"app": "web"}}

base := ["spec", "template", "spec", "topologySpreadConstraints"]

findings(obj) := f if {
	f := check.deny with input as obj with data.inventory as {} with data.rampart.index as rampart.inventory_index({})
}

passes(obj) if count(findings(obj)) == 0

test_no_constraint_is_reported_where_it_belongs if {
	results := findings(workload("Deployment", 3, {}))
	count(results) == 1
	some r in results
	r.path == base
	r.msg == "Deployment `web` runs 3 replicas (spec.replicas) with no topologySpreadConstraints entry on topology.kubernetes.io/zone that selects its own pods, so nothing spreads its replicas over topology.kubernetes.io/zone"
}

test_every_replicated_kind if {
	every kind in ["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"] {
		count(findings(workload(kind, 2, {}))) == 1
	}
}

test_daemonset_is_not_checked if passes(workload("DaemonSet", 3, {}))

test_single_replica_passes if passes(workload("Deployment", 1, {}))

test_matching_constraint_passes if {
	passes(workload("Deployment", 3, spread([zone(web)])))
	passes(workload("Deployment", 3, spread([object.union(zone(web), {"whenUnsatisfiable": "DoNotSchedule"})])))
}

test_match_expressions_operators if {
	passes(workload("Deployment", 3, spread([zone({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]})])))
	passes(workload("Deployment", 3, spread([zone({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]})])))
	passes(workload("Deployment", 3, spread([zone({"matchExpressions": [{"key": "tier", "operator": "Exists"}]})])))
	passes(workload("Deployment", 3, spread([zone({"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]})])))
	not passes(workload("Deployment", 3, spread([zone({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]})])))
	not passes(workload("Deployment", 3, spread([zone({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]})])))
}

test_selector_of_another_app_is_reported_as_such if {
	results := findings(workload("Deployment", 3, spread([zone({"matchLabels": {"app": "scheduler-master"}})])))
	count(results) == 1
	some r in results
	r.path == array.concat(base, [0, "labelSelector"])
	r.msg == "Deployment `web` runs 3 replicas (spec.replicas), but its topologySpreadConstraints entry has a labelSelector (app=scheduler-master) that does not match the pod's own labels (app=web, tier=front), so nothing spreads its replicas over topology.kubernetes.io/zone"
}

test_wrong_topology_key if {
	c := object.union(zone(web), {"topologyKey": "kubernetes.io/hostname"})
	results := findings(workload("Deployment", 3, spread([c])))
	some r in results
	r.path == array.concat(base, [0, "topologyKey"])
}

test_spread_keys_param if {
	c := object.union(zone(web), {"topologyKey": "kubernetes.io/hostname"})
	params := {"spread-topology-keys": ["kubernetes.io/hostname"]}
	count(check.deny) == 0 with input as workload("Deployment", 3, spread([c])) with data.inventory as {} with data.rampart.index as rampart.inventory_index({}) with data.rampart.params as params
}

test_nearest_miss_and_related if {
	far := object.union(zone({"matchLabels": {"app": "db"}}), {"topologyKey": "kubernetes.io/hostname"})
	near := zone({"matchLabels": {"app": "api"}})
	results := findings(workload("Deployment", 3, spread([far, near])))
	count(results) == 1
	some r in results
	r.path == array.concat(base, [1, "labelSelector"])
	[x.path | some x in r.related] == [array.concat(base, [0, "labelSelector"])]
}

test_good_constraint_next_to_a_bad_one_passes if {
	passes(workload("Deployment", 3, spread([zone({"matchLabels": {"app": "db"}}), zone(web)])))
}

test_hpa_makes_a_single_replica_replicated if {
	hpa := {
		"apiVersion": "autoscaling/v2",
		"kind": "HorizontalPodAutoscaler",
		"metadata": {"name": "web-hpa", "namespace": "shop"},
		"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "minReplicas": 3},
	}
	inv := {"namespace": {"shop": {"autoscaling/v2": {"HorizontalPodAutoscaler": {"web-hpa": hpa}}}}}
	results := check.deny with input as workload("Deployment", 1, {}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	some r in results
	r.related[0].object.name == "web-hpa"
	count(check.deny) == 0 with input as workload("Deployment", 5, {}) with data.inventory as {"namespace": {"shop": {"autoscaling/v2": {"HorizontalPodAutoscaler": {"web-hpa": object.union(hpa, {"spec": {"minReplicas": 1}})}}}}} with data.rampart.index as rampart.inventory_index({"namespace": {"shop": {"autoscaling/v2": {"HorizontalPodAutoscaler": {"web-hpa": object.union(hpa, {"spec": {"minReplicas": 1}})}}}}})
}

zone_anti_affinity(selector) := {"topologyKey": "topology.kubernetes.io/zone", "labelSelector": selector}

test_required_zone_anti_affinity_on_own_pods_spreads if {
	passes(workload("Deployment", 3, {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [zone_anti_affinity(web)]}}}))
}

test_preferred_zone_anti_affinity_on_own_pods_spreads if {
	term := {"weight": 100, "podAffinityTerm": zone_anti_affinity(web)}
	passes(workload("Deployment", 3, {"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [term]}}}))
}

test_anti_affinity_that_does_not_spread_own_pods_over_zones_is_not_enough if {
	other := {"matchLabels": {"app": "db"}}
	count(findings(workload("Deployment", 3, {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [zone_anti_affinity(other)]}}}))) == 1
	node := {"topologyKey": "kubernetes.io/hostname", "labelSelector": web}
	count(findings(workload("Deployment", 3, {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [node]}}}))) == 1
}

# A parameter that is set is taken as it is, null and false included; only a missing one
# falls back to the default.
test_parameters_and_their_defaults if {
	check.min_replicas == 2 with data.rampart.params as {}
	check.topology_keys == ["topology.kubernetes.io/zone"] with data.rampart.params as {}
	check.min_replicas == 3 with data.rampart.params as {"min-replicas": 3}
	check.topology_keys == ["a", "b"] with data.rampart.params as {"spread-topology-keys": ["a", "b"]}
	every value in [null, false, "", []] {
		check.min_replicas == value with data.rampart.params as {"min-replicas": value}
		check.topology_keys == value with data.rampart.params as {"spread-topology-keys": value}
	}
}
