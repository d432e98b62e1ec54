package rampart.lib.network_test

import rego.v1

import data.rampart.lib.network

policy(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

test_missing_or_null_pod_selector_selects_every_pod if {
	network.selects(policy({}), {"app": "web"})
	network.selects(policy({"podSelector": null}), {"app": "web"})
	network.selects(policy({"podSelector": {}}), {})
}

test_pod_selector if {
	network.selects(policy({"podSelector": {"matchLabels": {"app": "web"}}}), {"app": "web", "tier": "front"})
	not network.selects(policy({"podSelector": {"matchLabels": {"app": "web"}}}), {"app": "api"})
	network.selects(policy({"podSelector": {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]}}), {})
}

test_policy_types_default_to_ingress if {
	network.policy_types(policy({"podSelector": {}})) == {"Ingress"}
	network.policy_types(policy({"podSelector": {}, "ingress": [{}]})) == {"Ingress"}
	network.policy_types(policy({"podSelector": {}, "policyTypes": []})) == {"Ingress"}
}

test_policy_types_default_adds_egress_when_it_has_egress_rules if {
	network.policy_types(policy({"podSelector": {}, "egress": [{"to": []}]})) == {"Ingress", "Egress"}
	network.policy_types(policy({"podSelector": {}, "egress": []})) == {"Ingress"}
}

test_explicit_policy_types if {
	network.policy_types(policy({"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]})) == {"Egress"}
}

test_pod_labels_of_each_kind if {
	network.pod_labels({"kind": "Pod", "metadata": {"labels": {"a": "1"}}}) == {"a": "1"}
	network.pod_labels({"kind": "Deployment", "spec": {"template": {"metadata": {"labels": {"a": "2"}}}}}) == {"a": "2"}
	cron := {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"a": "3"}}}}}}}
	network.pod_labels(cron) == {"a": "3"}
	network.pod_labels({"kind": "Job", "spec": {"template": {"metadata": {"labels": null}}}}) == {}
}

test_workloads_of_a_namespace if {
	inv := {"namespace": {
		"shop": {
			"apps/v1": {"Deployment": {"web": {"kind": "Deployment"}}, "DaemonSet": {"agent": {"kind": "DaemonSet"}}},
			"v1": {"Service": {"web": {"kind": "Service"}}, "Pod": {"debug": {"kind": "Pod"}}},
		},
		"billing": {"apps/v1": {"Deployment": {"api": {"kind": "Deployment"}}}},
	}}
	w := network.first_workloads("shop", 5) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	[[x[0], x[1]] | some x in w] == [["DaemonSet", "agent"], ["Deployment", "web"], ["Pod", "debug"]]
	w2 := network.first_workloads("shop", 2) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	[[x[0], x[1]] | some x in w2] == [["DaemonSet", "agent"], ["Deployment", "web"]]
}

test_isolating_directions_by_namespace_and_selector if {
	inv := {"namespace": {"shop": {"networking.k8s.io/v1": {"NetworkPolicy": {
		"egress": policy({"podSelector": {}, "policyTypes": ["Egress"]}),
		"web": policy({"podSelector": {"matchLabels": {"app": "web"}}}),
	}}}}}
	network.isolating_directions("shop", {"app": "web"}) == {"Ingress", "Egress"} with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	network.isolating_directions("shop", {"app": "api"}) == {"Egress"} with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	network.isolating_directions("billing", {"app": "web"}) == set() with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_selects_some_workload_of_each_kind if {
	backup_template := {"metadata": {"labels": {"app": "backup"}}}
	inv := {"namespace": {"shop": {
		"apps/v1": {"Deployment": {"web": {"kind": "Deployment", "spec": {"template": {"metadata": {"labels": {"app": "web"}}}}}}},
		"v1": {"Pod": {"debug": {"kind": "Pod", "metadata": {"labels": {"app": "debug"}}}}},
		"batch/v1": {"CronJob": {"backup": {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": backup_template}}}}}},
	}}}
	index := rampart.inventory_index(inv)
	network.selects_some("shop", {"matchLabels": {"app": "web"}}) with data.inventory as inv with data.rampart.index as index
	network.selects_some("shop", {"matchLabels": {"app": "debug"}}) with data.inventory as inv with data.rampart.index as index
	network.selects_some("shop", {"matchLabels": {"app": "backup"}}) with data.inventory as inv with data.rampart.index as index
	not network.selects_some("shop", {"matchLabels": {"app": "api"}}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	not network.selects_some("billing", {}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	network.selects_some("shop", {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web", "debug"]}]}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_workload_without_labels_is_selected_by_an_empty_selector if {
	inv := {"namespace": {"shop": {"apps/v1": {"Deployment": {"web": {"kind": "Deployment", "spec": {"template": {"metadata": {"labels": null}}}}}}}}}
	network.selects_some("shop", {}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	not network.selects_some("shop", {"matchLabels": {"app": "web"}}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_null_pod_selector_isolates_every_pod if {
	inv := {"namespace": {"shop": {"networking.k8s.io/v1": {"NetworkPolicy": {"p": policy({"podSelector": null})}}}}}
	network.isolating_directions("shop", {"app": "web"}) == {"Ingress"} with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}
