package rampart.lib.spread_test

import rego.v1

import data.rampart.lib.spread

deployment(spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": object.union({"template": {"metadata": {"labels": {"app": "web"}}, "spec": {}}}, spec),
}

hpa(name, ns, ref, min) := {
	"apiVersion": "autoscaling/v2",
	"kind": "HorizontalPodAutoscaler",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"scaleTargetRef": ref, "minReplicas": min, "maxReplicas": 10},
}

web_ref := {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}

inventory(hpas) := {"namespace": {ns: {"autoscaling/v2": {"HorizontalPodAutoscaler": {h.metadata.name: h |
	some h in hpas
	h.metadata.namespace == ns
}}} |
	some x in hpas
	ns := x.metadata.namespace
}}

replicas(obj, inv) := r if {
	r := spread.replicas(obj) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

replicated(obj, inv) if {
	spread.input_replicated(2) with input as obj with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_group if {
	spread.group("apps/v1") == "apps"
	spread.group("v1") == ""
	spread.group("autoscaling/v2") == "autoscaling"
}

test_namespace_defaults if {
	spread.namespace({"metadata": {"namespace": "shop"}}) == "shop"
	spread.namespace({"metadata": {}}) == "default"
	spread.namespace({"metadata": {}}) == "apps" with data.rampart.params as {"default-namespace": "apps"}
}

test_replicas_from_spec if {
	replicas(deployment({"replicas": 3}), {}) == {"count": 3, "source": "spec"}
}

test_absent_replicas_is_one if {
	replicas(deployment({}), {}) == {"count": 1, "source": "default"}
	not replicated(deployment({}), {})
}

test_non_numeric_replicas_give_no_count if {
	not replicas(deployment({"replicas": "3"}), {})
	not replicated(deployment({"replicas": "3"}), {})
}

test_hpa_min_replicas_makes_a_single_replica_replicated if {
	inv := inventory([hpa("web-hpa", "shop", web_ref, 4)])
	replicas(deployment({"replicas": 1}), inv) == {"count": 4, "source": "hpa", "hpa": {"apiVersion": "autoscaling/v2", "name": "web-hpa"}}
	replicated(deployment({"replicas": 1}), inv)
}

test_hpa_min_replicas_wins_over_a_higher_spec_replicas if {
	inv := inventory([hpa("web-hpa", "shop", web_ref, 1)])
	replicas(deployment({"replicas": 3}), inv).count == 1
	not replicated(deployment({"replicas": 3}), inv)
}

test_hpa_without_min_replicas_is_one if {
	h := json.remove(hpa("web-hpa", "shop", web_ref, 0), ["spec/minReplicas"])
	replicas(deployment({"replicas": 3}), inventory([h])).count == 1
}

test_hpa_of_another_namespace_does_not_count if {
	inv := inventory([hpa("web-hpa", "billing", web_ref, 4)])
	replicas(deployment({"replicas": 1}), inv).source == "spec"
}

test_hpa_of_another_target_does_not_count if {
	inv := inventory([
		hpa("a", "shop", {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}, 4),
		hpa("b", "shop", {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web"}, 4),
	])
	replicas(deployment({"replicas": 1}), inv).source == "spec"
}

test_hpa_group_must_agree_when_given if {
	other_group := inventory([hpa("a", "shop", {"apiVersion": "extensions/v1beta1", "kind": "Deployment", "name": "web"}, 4)])
	replicas(deployment({"replicas": 1}), other_group).source == "spec"
	no_version := inventory([hpa("a", "shop", {"kind": "Deployment", "name": "web"}, 4)])
	replicas(deployment({"replicas": 1}), no_version).count == 4
}

test_lowest_of_several_hpas if {
	inv := inventory([hpa("a", "shop", web_ref, 6), hpa("b", "shop", web_ref, 3)])
	r := replicas(deployment({}), inv)
	r.count == 3
	r.hpa.name == "b"
}

test_min_replicas if {
	spread.input_replicated(1) with input as deployment({}) with data.inventory as {} with data.rampart.index as rampart.inventory_index({})
	not spread.input_replicated(3) with input as deployment({"replicas": 2}) with data.inventory as {} with data.rampart.index as rampart.inventory_index({})
	spread.input_replicated(3) with input as deployment({"replicas": 3}) with data.inventory as {} with data.rampart.index as rampart.inventory_index({})
}

test_daemonset_is_never_replicated if {
	not replicated(object.union(deployment({"replicas": 3}), {"kind": "DaemonSet"}), {})
}

test_replicas_phrase if {
	spread.replicas_phrase({"count": 3, "source": "spec"}) == "3 replicas (spec.replicas)"
	spread.replicas_phrase({"count": 1, "source": "default"}) == "1 replica (spec.replicas is not set)"
	r := {"count": 4, "source": "hpa", "hpa": {"apiVersion": "autoscaling/v2", "name": "web-hpa"}}
	spread.replicas_phrase(r) == "at least 4 replicas (minReplicas of HorizontalPodAutoscaler `web-hpa`)"
}

test_replicas_related_names_the_hpa if {
	r := {"count": 4, "source": "hpa", "hpa": {"apiVersion": "autoscaling/v2", "name": "web-hpa"}}
	related := spread.replicas_related(deployment({}), r)
	count(related) == 1
	related[0].path == ["spec", "minReplicas"]
	related[0].object == {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "name": "web-hpa", "namespace": "shop"}
	spread.replicas_related(deployment({}), {"count": 3, "source": "spec"}) == []
}

# ---- defects of a term ----

term(extra) := object.union({"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "web"}}}, extra)

hostname := ["kubernetes.io/hostname"]

zone := ["topology.kubernetes.io/zone"]

defects(t) := d if {
	d := spread.anti_affinity_defects(deployment({}), {"term": t}, hostname) with data.inventory as {} with data.rampart.index as rampart.inventory_index({})
}

test_matching_term_has_no_defect if {
	defects(term({})) == []
}

test_selector_of_another_app if {
	d := defects(term({"labelSelector": {"matchLabels": {"app": "api"}}}))
	count(d) == 1
	d[0].field == "labelSelector"
	d[0].reason == "has a labelSelector (app=api) that does not match the pod's own labels (app=web)"
}

test_missing_selector_selects_nothing if {
	d := defects(json.remove(term({}), ["labelSelector"]))
	d[0] == {"field": "labelSelector", "reason": "has no labelSelector, so it selects no pods"}
}

test_mismatch_label_keys_exclude_own_pods if {
	d := defects(term({"mismatchLabelKeys": ["app"]}))
	d[0].field == "mismatchLabelKeys"
	defects(term({"mismatchLabelKeys": ["tenant"]})) == []
	defects(term({"matchLabelKeys": ["app"]})) == []
}

test_wrong_topology_key if {
	d := defects(term({"topologyKey": "topology.kubernetes.io/zone"}))
	d == [{"field": "topologyKey", "reason": "uses topologyKey topology.kubernetes.io/zone, which is not in anti-affinity-topology-keys (kubernetes.io/hostname)"}]
}

test_several_topology_keys if {
	t := term({"topologyKey": "topology.kubernetes.io/zone"})
	spread.anti_affinity_defects(deployment({}), {"term": t}, array.concat(hostname, zone)) == []
}

test_namespaces_without_own if {
	d := defects(term({"namespaces": ["billing"]}))
	d == [{"field": "namespaces", "reason": "lists namespaces (billing) without the pod's own namespace `shop`"}]
	defects(term({"namespaces": ["billing", "shop"]})) == []
	defects(term({"namespaces": []})) == []
}

test_empty_namespace_selector_includes_own if {
	defects(term({"namespaceSelector": {}})) == []
	defects(term({"namespaces": ["billing"], "namespaceSelector": {}})) == []
}

test_namespace_selector_against_the_namespace_object if {
	shop := {"cluster": {"v1": {"Namespace": {"shop": {"metadata": {"name": "shop", "labels": {"env": "prod"}}}}}}}
	ok := spread.anti_affinity_defects(deployment({}), {"term": term({"namespaceSelector": {"matchLabels": {"env": "prod"}}})}, hostname) with data.inventory as shop with data.rampart.index as rampart.inventory_index(shop)
	ok == []
	bad := spread.anti_affinity_defects(deployment({}), {"term": term({"namespaceSelector": {"matchLabels": {"env": "dev"}}})}, hostname) with data.inventory as shop with data.rampart.index as rampart.inventory_index(shop)
	bad == [{"field": "namespaceSelector", "reason": "has a namespaceSelector (env=dev) that does not select the pod's own namespace `shop`"}]
}

test_namespace_selector_without_the_namespace_object if {
	defects(term({"namespaceSelector": {"matchLabels": {"env": "dev"}}})) == []
	d := defects(term({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "billing"}}}))
	d[0].field == "namespaceSelector"
}

test_several_defects_in_order if {
	d := defects(term({"labelSelector": {"matchLabels": {"app": "api"}}, "topologyKey": "zone", "namespaces": ["billing"]}))
	[x.field | some x in d] == ["labelSelector", "topologyKey", "namespaces"]
}

test_spread_defects_ignore_namespaces if {
	c := {"topologyKey": "topology.kubernetes.io/zone", "labelSelector": {"matchLabels": {"app": "web"}}, "namespaces": ["billing"]}
	spread.spread_defects(deployment({}), {"term": c}, zone) == []
	d := spread.spread_defects(deployment({}), {"term": object.union(c, {"topologyKey": "kubernetes.io/hostname"})}, zone)
	d[0].reason == "uses topologyKey kubernetes.io/hostname, which is not in spread-topology-keys (topology.kubernetes.io/zone)"
}

test_terms_and_their_paths if {
	affinity := {"podAntiAffinity": {
		"requiredDuringSchedulingIgnoredDuringExecution": [term({})],
		"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "podAffinityTerm": term({})}, {"weight": 1}],
	}}
	d := deployment({"template": {"metadata": {"labels": {"app": "web"}}, "spec": {"affinity": affinity}}})
	[t.path | some t in spread.anti_affinity_terms(d)] == [
		["spec", "template", "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution", 0],
		["spec", "template", "spec", "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution", 0, "podAffinityTerm"],
	]
}

test_nearest_miss_first if {
	far := {"order": [0, 0], "kind": "required"}
	near := {"order": [1, 0], "kind": "preferred"}
	good := {"order": [1, 1], "kind": "preferred"}
	misses := spread.misses([far, near, good], [[{"field": "a"}, {"field": "b"}], [{"field": "c"}], []])
	[m[3].kind | some m in misses] == ["preferred", "required"]
	misses[0][4] == [{"field": "c"}]
}

sound_term := {
	"term": {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "web"}}},
	"selects_own_pods": true,
}

test_a_term_that_selects_its_pods_on_a_key_in_its_namespace_is_sound if {
	spread.sound(sound_term, ["kubernetes.io/hostname"])
}

test_a_sound_term_has_no_defects if {
	spread.sound(sound_term, ["kubernetes.io/hostname"])
	spread.anti_affinity_defects(deployment({}), sound_term, ["kubernetes.io/hostname"]) == []
}

test_a_term_is_not_sound_unless_the_facts_say_it_selects_its_own_pods if {
	not spread.sound(object.remove(sound_term, ["selects_own_pods"]), ["kubernetes.io/hostname"])
	not spread.sound(object.union(sound_term, {"selects_own_pods": false}), ["kubernetes.io/hostname"])
}

test_a_term_on_another_key_is_not_sound if {
	not spread.sound(sound_term, ["topology.kubernetes.io/zone"])
}

test_a_term_with_namespaces_or_a_namespace_selector_is_not_sound if {
	not spread.sound(object.union(sound_term, {"term": {"namespaces": ["shop"]}}), ["kubernetes.io/hostname"])
	not spread.sound(object.union(sound_term, {"term": {"namespaces": []}}), ["kubernetes.io/hostname"])
	not spread.sound(object.union(sound_term, {"term": {"namespaceSelector": {}}}), ["kubernetes.io/hostname"])
}

test_a_term_that_is_not_an_object_is_not_sound if {
	not spread.sound({"term": "hostname", "selects_own_pods": true}, ["kubernetes.io/hostname"])
}
