package rampart.lib.resources_test

import rego.v1

import data.rampart.lib.kubernetes as k8s
import data.rampart.lib.resources

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "w", "namespace": "shop"},
	"spec": {"template": {"spec": pod_spec}},
}

limit_range(limits) := {"shop": {"v1": {"LimitRange": {"defaults": {
	"apiVersion": "v1",
	"kind": "LimitRange",
	"metadata": {"name": "defaults", "namespace": "shop"},
	"spec": {"limits": limits},
}}}}}

test_regular_and_init_containers_can_set_resources_in_order if {
	spec := {
		"containers": [{"name": "a"}],
		"initContainers": [{"name": "i"}],
		"ephemeralContainers": [{"name": "e"}],
	}
	names := [c.container.name | some c in resources.settable_containers] with input as deployment(spec)
	names == ["a", "i"]
}

test_describe if {
	resources.describe({"container": {"name": "a"}, "name": "a", "field": "containers"}) == "container `a`"
	resources.describe({"container": {"name": "i"}, "name": "i", "field": "initContainers"}) == "init container `i`"
	resources.describe({"container": {}, "name": "<unnamed>", "field": "containers"}) == "container `<unnamed>`"
}

test_path if {
	c := {"container": {}, "path": ["spec", "containers", 1], "field": "containers"}
	resources.path(c, "limits", "memory") == ["spec", "containers", 1, "resources", "limits", "memory"]
}

test_set_value_is_not_missing if {
	not resources.missing({"resources": {"requests": {"cpu": "100m"}}}, "requests", "cpu") with input as deployment({})
}

test_absent_and_null_values_are_missing if {
	resources.missing({}, "requests", "cpu") with input as deployment({})
	resources.missing({"resources": null}, "limits", "cpu") with input as deployment({})
	resources.missing({"resources": {"limits": {"cpu": null}}}, "limits", "cpu") with input as deployment({})
}

test_limit_defaults_the_request if {
	container := {"resources": {"limits": {"memory": "1Gi"}}}
	not resources.missing(container, "requests", "memory") with input as deployment({})
	resources.missing(container, "requests", "cpu") with input as deployment({})
}

test_request_does_not_default_the_limit if {
	resources.missing({"resources": {"requests": {"memory": "1Gi"}}}, "limits", "memory") with input as deployment({})
}

test_limit_range_default_request if {
	inv := {"namespace": limit_range([{"type": "Container", "defaultRequest": {"cpu": "100m"}}])}
	not resources.missing({}, "requests", "cpu") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	resources.missing({}, "limits", "cpu") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	resources.missing({}, "requests", "memory") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_default_limit_defaults_both if {
	inv := {"namespace": limit_range([{"type": "Container", "default": {"memory": "512Mi"}}])}
	not resources.missing({}, "requests", "memory") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	not resources.missing({}, "limits", "memory") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_max_defaults_both if {
	inv := {"namespace": limit_range([{"type": "Container", "max": {"cpu": "2"}}])}
	not resources.missing({}, "requests", "cpu") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	not resources.missing({}, "limits", "cpu") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_min_defaults_only_the_request if {
	inv := {"namespace": limit_range([{"type": "Container", "min": {"cpu": "50m"}}])}
	not resources.missing({}, "requests", "cpu") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	resources.missing({}, "limits", "cpu") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_of_type_pod_defaults_nothing if {
	inv := {"namespace": limit_range([{"type": "Pod", "max": {"cpu": "2"}}])}
	resources.missing({}, "requests", "cpu") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	resources.missing({}, "limits", "cpu") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_in_another_namespace_defaults_nothing if {
	inv := {"namespace": limit_range([{"type": "Container", "default": {"cpu": "1"}}])}
	other := object.union(deployment({}), {"metadata": {"namespace": "blog"}})
	resources.missing({}, "limits", "cpu") with input as other with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_limit_range_for_objects_without_namespace if {
	inv := {"namespace": limit_range([{"type": "Container", "default": {"cpu": "1"}}])}
	bare := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}
	not resources.missing({}, "limits", "cpu") with input as bare with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv) with data.rampart.params as {"default-namespace": "shop"}
	resources.missing({}, "limits", "cpu") with input as bare with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv) with data.rampart.params as {"default-namespace": "default"}
}

test_default_limits_prefer_default_over_max if {
	inv := {"namespace": limit_range([{"type": "Container", "default": {"cpu": "1"}, "max": {"cpu": "4", "memory": "8Gi"}}])}
	limits := resources.default_limits with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	object := {"apiVersion": "v1", "kind": "LimitRange", "name": "defaults", "namespace": "shop"}
	limits == {
		{"resource": "cpu", "value": "1", "object": object, "path": ["spec", "limits", 0, "default", "cpu"]},
		{"resource": "memory", "value": "8Gi", "object": object, "path": ["spec", "limits", 0, "max", "memory"]},
	}
}

test_malformed_limit_ranges_are_ignored if {
	inv := {"namespace": {"shop": {"v1": {"LimitRange": {
		"a": {"spec": {"limits": "Container"}},
		"b": {"spec": {"limits": [{"type": "Container", "default": "1", "max": null, "min": ["cpu"]}]}},
		"c": {"spec": null},
	}}}}}
	resources.missing({}, "limits", "cpu") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	resources.missing({}, "requests", "cpu") with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
	count(resources.default_limits) == 0 with input as deployment({}) with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv)
}

test_malformed_resources_are_missing if {
	resources.missing({"resources": "lots"}, "requests", "cpu") with input as deployment({})
	resources.missing({"resources": {"requests": "2"}}, "requests", "cpu") with input as deployment({})
	resources.missing({"resources": {"limits": ["cpu"]}}, "requests", "cpu") with input as deployment({})
}
