package rampart.checks.missing_cpu_limit.kubernetes_test

import rego.v1

import data.rampart.checks.missing_cpu_limit.kubernetes as check

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "api", "namespace": "shop"},
	"spec": {"template": {"spec": pod_spec}},
}

limit_range(item) := {"namespace": {"shop": {"v1": {"LimitRange": {"defaults": {
	"apiVersion": "v1",
	"kind": "LimitRange",
	"metadata": {"name": "defaults", "namespace": "shop"},
	"spec": {"limits": [item]},
}}}}}}

test_container_without_resources if {
	results := check.deny with input as deployment({"containers": [{"name": "api"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"]
	r.msg == "container `api` has no CPU limit"
}

test_container_with_the_value if {
	spec := {"containers": [{"name": "api", "resources": {"limits": {"cpu": "1"}}}]}
	count(check.deny) == 0 with input as deployment(spec)
}

test_numeric_value_counts if {
	spec := {"containers": [{"name": "api", "resources": {"limits": {"cpu": 1}}}]}
	count(check.deny) == 0 with input as deployment(spec)
}

test_other_resource_does_not_count if {
	spec := {"containers": [{"name": "api", "resources": {"limits": {"memory": "1"}}}]}
	results := check.deny with input as deployment(spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"]
}

test_null_value_is_missing if {
	spec := {"containers": [{"name": "api", "resources": {"limits": {"cpu": null}}}]}
	count(check.deny) == 1 with input as deployment(spec)
}

test_only_the_container_missing_it if {
	spec := {"containers": [
		{"name": "api", "resources": {"limits": {"cpu": "1"}}},
		{"name": "proxy"},
	]}
	results := check.deny with input as deployment(spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 1, "resources", "limits", "cpu"]
	r.msg == "container `proxy` has no CPU limit"
}

test_init_containers_are_checked if {
	spec := {
		"initContainers": [{"name": "migrate"}],
		"containers": [{"name": "api", "resources": {"limits": {"cpu": "1"}}}],
	}
	results := check.deny with input as deployment(spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "initContainers", 0, "resources", "limits", "cpu"]
	r.msg == "init container `migrate` has no CPU limit"
}

test_ephemeral_containers_are_not_checked if {
	spec := {
		"containers": [{"name": "api", "resources": {"limits": {"cpu": "1"}}}],
		"ephemeralContainers": [{"name": "debug"}],
	}
	count(check.deny) == 0 with input as deployment(spec)
}

test_every_workload_kind if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}
	cron := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "c"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}},
	}
	job := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	[r1] := [r | some r in check.deny with input as pod]
	r1.path == ["spec", "containers", 0, "resources", "limits", "cpu"]
	[r2] := [r | some r in check.deny with input as cron]
	r2.path == ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"]
	count(check.deny) == 1 with input as job
}

test_not_a_workload if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "spec": {"containers": [{"name": "a"}]}}
	count(check.deny) == 0 with input as cm
}

test_request_does_not_default_the_limit if {
	spec := {"containers": [{"name": "api", "resources": {"requests": {"cpu": "1"}}}]}
	results := check.deny with input as deployment(spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "resources", "limits", "cpu"]
}

test_limit_range_default_limit if {
	spec := {"containers": [{"name": "api"}]}
	inv := limit_range({"type": "Container", "default": {"cpu": "1"}})
	count(check.deny) == 0 with input as deployment(spec) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_max_defaults_the_limit if {
	spec := {"containers": [{"name": "api"}]}
	inv := limit_range({"type": "Container", "max": {"cpu": "1"}})
	count(check.deny) == 0 with input as deployment(spec) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_default_request_does_not_default_the_limit if {
	spec := {"containers": [{"name": "api"}]}
	inv := limit_range({"type": "Container", "defaultRequest": {"cpu": "1"}, "min": {"cpu": "1"}})
	count(check.deny) == 1 with input as deployment(spec) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_for_another_resource_does_not_count if {
	spec := {"containers": [{"name": "api"}]}
	inv := limit_range({"type": "Container", "default": {"memory": "1"}, "defaultRequest": {"memory": "1"}})
	count(check.deny) == 1 with input as deployment(spec) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_of_type_pod_does_not_count if {
	spec := {"containers": [{"name": "api"}]}
	inv := limit_range({"type": "Pod", "max": {"cpu": "1"}})
	count(check.deny) == 1 with input as deployment(spec) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_in_another_namespace_does_not_count if {
	spec := {"containers": [{"name": "api"}]}
	inv := limit_range({"type": "Container", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "1"}})
	elsewhere := object.union(deployment(spec), {"metadata": {"namespace": "blog"}})
	count(check.deny) == 1 with input as elsewhere with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_covers_init_containers if {
	spec := {"initContainers": [{"name": "migrate"}], "containers": [{"name": "api"}]}
	inv := limit_range({"type": "Container", "default": {"cpu": "1"}})
	count(check.deny) == 0 with input as deployment(spec) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}
