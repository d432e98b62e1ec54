package rampart.checks.dangling_network_policy.kubernetes_test

import rego.v1

import data.rampart.checks.dangling_network_policy.kubernetes as check

policy(ns, selector) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": ns}, "spec": {"podSelector": selector}}

workload(kind, name, labels) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": labels}}}}

cronjob := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": {"name": "backup", "namespace": "shop"},
	"spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "backup"}}}}}},
}

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": "shop"}, "spec": {"selector": {"app": "datajump"}}}

inventory(objects) := {"namespace": {"shop": {api: {kind: {o.metadata.name: o |
	some o in objects
	o.apiVersion == api
	o.kind == kind
} |
	some x in objects
	x.apiVersion == api
	kind := x.kind
} |
	some y in objects
	api := y.apiVersion
}}}

web := workload("Deployment", "web", {"app": "web"})

findings(p, objects) := f if {
	f := check.deny with input as p with data.inventory as inventory(objects) with data.rampart.index as rampart.inventory_index(inventory(objects))
}

test_selects_no_workload if {
	results := findings(policy("shop", {"matchLabels": {"app.kubernetes.io/part-of": "datajump"}}), [web, cronjob, service])
	count(results) == 1
	some r in results
	r.path == ["spec", "podSelector"]
	r.msg == "NetworkPolicy `p` selects app.kubernetes.io/part-of=datajump, which matches the pods of no workload in namespace `shop`"
	r.related == [
		{
			"msg": "the pods of CronJob `backup` carry app=backup",
			"path": ["spec", "jobTemplate", "spec", "template", "metadata", "labels"],
			"object": {"apiVersion": "batch/v1", "kind": "CronJob", "name": "backup", "namespace": "shop"},
		},
		{
			"msg": "the pods of Deployment `web` carry app=web",
			"path": ["spec", "template", "metadata", "labels"],
			"object": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "shop"},
		},
	]
}

test_namespace_without_workloads_is_not_reported if {
	count(findings(policy("shop", {"matchLabels": {"app": "nothing"}}), [service])) == 0
	count(findings(policy("billing", {"matchLabels": {"app": "nothing"}}), [web])) == 0
}

test_selecting_a_workload_passes if {
	count(findings(policy("shop", {"matchLabels": {"app": "web"}}), [web])) == 0
	count(findings(policy("shop", {"matchExpressions": [{"key": "app", "operator": "In", "values": ["api", "web"]}]}), [web])) == 0
	count(findings(policy("shop", {"matchExpressions": [{"key": "app", "operator": "Exists"}]}), [web])) == 0
	count(findings(policy("shop", {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["api"]}]}), [web])) == 0
	count(findings(policy("shop", {"matchExpressions": [{"key": "team", "operator": "DoesNotExist"}]}), [web])) == 0
}

test_selecting_a_cronjob_passes if {
	count(findings(policy("shop", {"matchLabels": {"app": "backup"}}), [web, cronjob])) == 0
}

test_empty_or_missing_selector_selects_everything if {
	count(findings(policy("shop", {}), [web])) == 0
	p := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "p", "namespace": "shop"}, "spec": {}}
	count(findings(p, [web])) == 0
}

test_not_in_expression_that_excludes_every_workload if {
	results := findings(policy("shop", {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}), [web])
	count(results) == 1
	some r in results
	contains(r.msg, "selects app notin (web),")
}

test_at_most_five_related if {
	objects := [workload("Deployment", sprintf("w%d", [i]), {"app": "w"}) | some i in numbers.range(1, 7)]
	results := findings(policy("shop", {"matchLabels": {"app": "x"}}), objects)
	some r in results
	count(r.related) == 5
}

prometheus := {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": {"name": "k8s", "namespace": "shop"}, "spec": {}}

hpa := {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "namespace": "shop"}, "spec": {}}

ingress := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"}, "spec": {}}

test_custom_resources_in_the_namespace_may_own_the_pods if {
	p := policy("shop", {"matchLabels": {"app.kubernetes.io/name": "prometheus"}})
	count(findings(p, [web, prometheus])) == 0
	# Built-in kinds are no operator's: still reported.
	count(findings(p, [web, hpa, ingress, service])) == 1
}
