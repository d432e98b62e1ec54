package rampart.checks.request_exceeds_limit.kubernetes_test

import rego.v1

import data.rampart.checks.request_exceeds_limit.kubernetes as check

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "api", "namespace": "shop"},
	"spec": {"template": {"spec": pod_spec}},
}

with_resources(resources) := deployment({"containers": [{"name": "api", "resources": resources}]})

# The number of findings for one resource given a request and a limit.
findings(resource, request, limit) := n if {
	n := count(check.deny) with input as with_resources({"requests": {resource: request}, "limits": {resource: limit}})
}

container := ["spec", "template", "spec", "containers", 0]

test_cpu_request_above_limit if {
	results := check.deny with input as with_resources({"requests": {"cpu": "2"}, "limits": {"cpu": "1500m"}})
	count(results) == 1
	some r in results
	r.path == array.concat(container, ["resources", "requests", "cpu"])
	r.msg == "container `api` requests more cpu (2) than its limit (1500m)"
	r.related == [{"msg": "limit is 1500m", "path": array.concat(container, ["resources", "limits", "cpu"])}]
}

test_cpu_one_core_is_less_than_1500m if {
	findings("cpu", 1, "1500m") == 0
	findings("cpu", "1500m", 1) == 1
}

test_memory_1G_is_less_than_1Gi if {
	findings("memory", "1G", "1Gi") == 0
	findings("memory", "1Gi", "1G") == 1
}

test_equal_quantities_pass if {
	findings("cpu", "500m", "500m") == 0
	findings("cpu", "500m", "0.5") == 0
	findings("cpu", "1100m", "1.1") == 0
	findings("cpu", "300m", "0.3") == 0
	findings("cpu", 1, "1000m") == 0
	findings("memory", "1Gi", "1024Mi") == 0
	findings("memory", "1Mi", "1024Ki") == 0
	findings("memory", "1k", "1e3") == 0
	findings("memory", "2e3", "2k") == 0
	findings("memory", 1073741824, "1Gi") == 0
}

test_every_quantity_form if {
	findings("cpu", "501m", "500m") == 1
	findings("cpu", "1.5", "1") == 1
	findings("cpu", 1.5, 1) == 1
	findings("memory", "513Mi", "512Mi") == 1
	findings("memory", "2G", "1Gi") == 1
	findings("memory", "2e3", "1Ki") == 1
	findings("memory", "3Ki", "2e3") == 1
	findings("memory", "2Ki", "2048") == 0
	findings("memory", "1Ti", "1T") == 1
	findings("memory", "1E", "1Pi") == 1
	findings("cpu", "100u", "10n") == 1
}

test_one_byte_more_is_reported if {
	findings("memory", "1073741825", "1Gi") == 1
}

test_other_resources_are_compared if {
	findings("ephemeral-storage", "2Gi", "1Gi") == 1
	findings("nvidia.com/gpu", 2, 1) == 1
	findings("hugepages-2Mi", "4Mi", "2Mi") == 1
	findings("nvidia.com/gpu", 1, 1) == 0
}

test_every_resource_is_reported if {
	results := check.deny with input as with_resources({
		"requests": {"cpu": "2", "memory": "2Gi", "ephemeral-storage": "1Gi"},
		"limits": {"cpu": "1", "memory": "1Gi", "ephemeral-storage": "1Gi"},
	})
	paths := {r.path | some r in results}
	paths == {
		array.concat(container, ["resources", "requests", "cpu"]),
		array.concat(container, ["resources", "requests", "memory"]),
	}
}

test_resource_only_requested_or_only_limited if {
	count(check.deny) == 0 with input as with_resources({"requests": {"cpu": "2"}, "limits": {"memory": "1Gi"}})
	count(check.deny) == 0 with input as with_resources({"limits": {"cpu": "1"}})
	count(check.deny) == 0 with input as with_resources({"requests": {"cpu": "1"}})
}

test_malformed_quantities_are_skipped if {
	findings("cpu", "two", "1") == 0
	findings("cpu", "2", "1 core") == 0
	findings("memory", "1.2.3Gi", "1Gi") == 0
	findings("memory", "2Gi", null) == 0
	findings("memory", true, "1Gi") == 0
}

test_malformed_sections_are_skipped if {
	count(check.deny) == 0 with input as with_resources({"requests": "2", "limits": {"cpu": "1"}})
	count(check.deny) == 0 with input as with_resources({"requests": null, "limits": null})
	count(check.deny) == 0 with input as with_resources(null)
}

test_init_containers_are_checked if {
	spec := {
		"initContainers": [{"name": "migrate", "resources": {"requests": {"memory": "2Gi"}, "limits": {"memory": "1Gi"}}}],
		"containers": [{"name": "api"}],
	}
	results := check.deny with input as deployment(spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "initContainers", 0, "resources", "requests", "memory"]
	r.msg == "init container `migrate` requests more memory (2Gi) than its limit (1Gi)"
}

test_ephemeral_containers_are_not_checked if {
	spec := {
		"containers": [{"name": "api"}],
		"ephemeralContainers": [{"name": "debug", "resources": {"requests": {"memory": "2Gi"}, "limits": {"memory": "1Gi"}}}],
	}
	count(check.deny) == 0 with input as deployment(spec)
}

test_cronjob_path if {
	cron := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "backup"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "b", "resources": {"requests": {"cpu": 2}, "limits": {"cpu": 1}}}]}}}}},
	}
	[r] := [x | some x in check.deny with input as cron]
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "resources", "requests", "cpu"]
}

limit_range(item) := {"namespace": {"shop": {"v1": {"LimitRange": {"defaults": {
	"apiVersion": "v1",
	"kind": "LimitRange",
	"metadata": {"name": "defaults", "namespace": "shop"},
	"spec": {"limits": [{"type": "Pod", "max": {"cpu": "8"}}, item]},
}}}}}}

lr_object := {"apiVersion": "v1", "kind": "LimitRange", "name": "defaults", "namespace": "shop"}

test_request_above_limit_range_default_limit if {
	inv := limit_range({"type": "Container", "default": {"memory": "512Mi"}})
	results := check.deny with input as with_resources({"requests": {"memory": "1Gi"}}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	count(results) == 1
	some r in results
	r.path == array.concat(container, ["resources", "requests", "memory"])
	r.msg == "container `api` requests more memory (1Gi) than the limit LimitRange `defaults` gives it (512Mi)"
	r.related == [{"msg": "the limit defaults to 512Mi here", "path": ["spec", "limits", 1, "default", "memory"], "object": lr_object}]
}

test_request_above_limit_range_max_without_default if {
	inv := limit_range({"type": "Container", "max": {"cpu": "1"}})
	results := check.deny with input as with_resources({"requests": {"cpu": "2"}}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	count(results) == 1
	some r in results
	r.related[0].path == ["spec", "limits", 1, "max", "cpu"]
}

test_limit_range_default_wins_over_max if {
	inv := limit_range({"type": "Container", "default": {"cpu": "2"}, "max": {"cpu": "1"}})
	count(check.deny) == 0 with input as with_resources({"requests": {"cpu": "2"}}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_own_limit_wins_over_limit_range if {
	inv := limit_range({"type": "Container", "default": {"cpu": "500m"}})
	count(check.deny) == 0 with input as with_resources({"requests": {"cpu": "1"}, "limits": {"cpu": "1"}}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_request_within_limit_range_default if {
	inv := limit_range({"type": "Container", "default": {"cpu": "1"}})
	count(check.deny) == 0 with input as with_resources({"requests": {"cpu": "1"}}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_pod_items_and_other_namespaces_do_not_count if {
	inv := limit_range({"type": "Pod", "default": {"cpu": "500m"}})
	count(check.deny) == 0 with input as with_resources({"requests": {"cpu": "1"}}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	inv2 := limit_range({"type": "Container", "default": {"cpu": "500m"}})
	elsewhere := object.union(with_resources({"requests": {"cpu": "1"}}), {"metadata": {"namespace": "blog"}})
	count(check.deny) == 0 with input as elsewhere with data.inventory as inv2 with data.rampart.index as rampart.inventory_index(inv2)
}
