package rampart.checks.missing_network_policy.kubernetes_test

import rego.v1

import data.rampart.checks.missing_network_policy.kubernetes as check

deployment(kind, labels) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "web"}]}}},
}

web := deployment("Deployment", {"app": "web", "tier": "front"})

policy(name, ns, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": name, "namespace": ns}, "spec": spec}

inventory(policies) := {"namespace": {ns: {"networking.k8s.io/v1": {"NetworkPolicy": {p.metadata.name: p |
	some p in policies
	p.metadata.namespace == ns
}}} |
	some x in policies
	ns := x.metadata.namespace
}}

labels_path := ["spec", "template", "metadata", "labels"]

findings(obj, policies) := f if {
	f := check.deny with input as obj with data.inventory as inventory(policies) with data.rampart.index as rampart.inventory_index(inventory(policies))
}

egress_findings(obj, policies) := f if {
	f := check.deny with input as obj with data.inventory as inventory(policies) with data.rampart.index as rampart.inventory_index(inventory(policies)) with data.rampart.params as {"require-egress": true}
}

test_no_policy_at_all if {
	results := check.deny with input as web with data.inventory as {} with data.rampart.index as rampart.inventory_index({})
	count(results) == 1
	some r in results
	r.path == labels_path
	r.msg == "no NetworkPolicy in namespace `shop` selects the pods of Deployment `web` (app=web, tier=front) for Ingress, so any pod in the cluster can connect to them"
	r.related == []
}

test_deny_all_with_empty_selector_isolates if {
	count(findings(web, [policy("deny", "shop", {"podSelector": {}, "policyTypes": ["Ingress"]})])) == 0
	count(egress_findings(web, [policy("deny", "shop", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]})])) == 0
}

test_match_labels_and_expressions if {
	count(findings(web, [policy("p", "shop", {"podSelector": {"matchLabels": {"app": "web"}}})])) == 0
	count(findings(web, [policy("p", "shop", {"podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]}})])) == 0
	count(findings(web, [policy("p", "shop", {"podSelector": {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}})])) == 0
	count(findings(web, [policy("p", "shop", {"podSelector": {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]}})])) == 0
	count(findings(web, [policy("p", "shop", {"podSelector": {"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}})])) == 0
	count(findings(web, [policy("p", "shop", {"podSelector": {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}})])) == 1
}

test_policy_of_another_app_is_related if {
	results := findings(web, [policy("api", "shop", {"podSelector": {"matchLabels": {"app": "api"}}, "ingress": []})])
	count(results) == 1
	some r in results
	r.related == [{
		"msg": "this NetworkPolicy selects app=api, not these pods",
		"path": ["spec", "podSelector"],
		"object": {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "name": "api", "namespace": "shop"},
	}]
}

test_policy_in_another_namespace_does_not_count if {
	results := findings(web, [policy("deny", "billing", {"podSelector": {}})])
	count(results) == 1
	some r in results
	r.related == []
}

test_egress_only_policy_without_policy_types_also_isolates_ingress if {
	p := policy("p", "shop", {"podSelector": {}, "egress": [{"to": [{"podSelector": {}}]}]})
	count(findings(web, [p])) == 0
	count(egress_findings(web, [p])) == 0
}

test_policy_without_egress_rules_defaults_to_ingress_only if {
	p := policy("p", "shop", {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]})
	count(findings(web, [p])) == 0
	results := egress_findings(web, [p])
	count(results) == 1
	some r in results
	r.path == labels_path
	endswith(r.msg, "for Egress, so they can connect anywhere")
	r.related[0].msg == "this NetworkPolicy selects these pods, but only for Ingress"
	r.related[0].path == ["spec", "policyTypes"]
}

test_explicit_egress_only_leaves_ingress_open if {
	results := findings(web, [policy("p", "shop", {"podSelector": {}, "policyTypes": ["Egress"]})])
	count(results) == 1
	some r in results
	contains(r.msg, "for Ingress")
	r.related[0].msg == "this NetworkPolicy selects these pods, but only for Egress"
}

test_one_finding_per_missing_direction if {
	results := egress_findings(web, [])
	count(results) == 2
	{r.path | some r in results} == {labels_path}
}

test_egress_not_required_by_default if {
	count(findings(web, [policy("p", "shop", {"podSelector": {}, "policyTypes": ["Ingress"]})])) == 0
}

test_datajump_as_written if {
	scheduler := {
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"metadata": {"name": "scheduler-master", "namespace": "datajump-prod"},
		"spec": {"template": {"metadata": {"labels": {"app": "scheduler-master"}}}},
	}
	p := policy("datajump-network-policy", "datajump-prod", {
		"podSelector": {"matchLabels": {"app.kubernetes.io/part-of": "datajump"}},
		"policyTypes": ["Ingress", "Egress"],
		"ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "api-gateway"}}}]}],
	})
	results := findings(scheduler, [p])
	count(results) == 1
	some r in results
	r.msg == "no NetworkPolicy in namespace `datajump-prod` selects the pods of Deployment `scheduler-master` (app=scheduler-master) for Ingress, so any pod in the cluster can connect to them"
	r.related[0].msg == "this NetworkPolicy selects app.kubernetes.io/part-of=datajump, not these pods"
}

test_at_most_five_related if {
	policies := [policy(sprintf("p%d", [i]), "shop", {"podSelector": {"matchLabels": {"app": "other"}}}) | some i in numbers.range(1, 7)]
	results := findings(web, policies)
	some r in results
	count(r.related) == 5
	r.related[0].object.name == "p1"
}

test_bare_pod_points_at_its_labels if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop", "labels": {"app": "p"}}, "spec": {}}
	results := findings(pod, [])
	some r in results
	r.path == ["metadata", "labels"]
}

test_long_running_kinds_only if {
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"] {
		count(findings(deployment(kind, {"app": "web"}), [])) == 1
	}
	count(findings(deployment("Job", {"app": "web"}), [])) == 0
	count(findings(deployment("Service", {"app": "web"}), [])) == 0
}

test_pods_without_labels_are_only_selected_by_an_empty_selector if {
	bare := deployment("Deployment", null)
	count(findings(bare, [policy("p", "shop", {"podSelector": {"matchLabels": {"app": "web"}}})])) == 1
	count(findings(bare, [policy("p", "shop", {"podSelector": {}})])) == 0
}

with_host_network(value) := object.union(web, {"spec": {"template": {"spec": {"hostNetwork": value, "containers": [{"name": "web"}]}}}})

test_host_network_pods_are_not_reported if {
	count(check.deny) == 0 with input as with_host_network(true) with data.inventory as {} with data.rampart.index as rampart.inventory_index({})
	count(check.deny) == 1 with input as with_host_network(false) with data.inventory as {} with data.rampart.index as rampart.inventory_index({})
}
