package rampart.lib.selectors_test

import rego.v1

import data.rampart.lib.selectors

test_labels_string_is_sorted if {
	selectors.labels_string({"tier": "front", "app": "web"}) == "app=web, tier=front"
}

test_labels_string_without_labels if {
	selectors.labels_string({}) == "no labels"
	selectors.labels_string(null) == "no labels"
}

test_keys_sort_before_longer_keys if {
	selectors.labels_string({"app.kubernetes.io/part-of": "shop", "app": "checkout"}) == "app=checkout, app.kubernetes.io/part-of=shop"
}

test_describe_match_labels if {
	selectors.describe({"matchLabels": {"b": "2", "a": "1"}}) == "a=1, b=2"
}

test_describe_every_operator if {
	selector := {"matchExpressions": [
		{"key": "tier", "operator": "In", "values": ["a", "b"]},
		{"key": "env", "operator": "NotIn", "values": ["dev"]},
		{"key": "team", "operator": "Exists"},
		{"key": "legacy", "operator": "DoesNotExist"},
	]}
	selectors.describe(selector) == "tier in (a,b), env notin (dev), team, !legacy"
}

test_describe_labels_then_expressions if {
	selector := {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "env", "operator": "Exists"}]}
	selectors.describe(selector) == "app=web, env"
}

test_describe_empty_and_null if {
	selectors.describe({}) == "everything"
	selectors.describe({"matchLabels": {}, "matchExpressions": []}) == "everything"
	selectors.describe(null) == "nothing"
}

namespaces := {"cluster": {"v1": {"Namespace": {"shop": {
	"apiVersion": "v1",
	"kind": "Namespace",
	"metadata": {"name": "shop", "labels": {"env": "prod"}},
}}}}}

test_namespace_in_run_matches_its_labels if {
	selectors.namespace_selected({"matchLabels": {"env": "prod"}}, "shop") with data.inventory as namespaces with data.rampart.index as rampart.inventory_index(namespaces)
}

test_namespace_in_run_does_not_match_other_labels if {
	not selectors.namespace_selected({"matchLabels": {"env": "dev"}}, "shop") with data.inventory as namespaces with data.rampart.index as rampart.inventory_index(namespaces)
}

test_namespace_in_run_has_the_name_label if {
	selector := {"matchLabels": {"kubernetes.io/metadata.name": "shop", "env": "prod"}}
	selectors.namespace_selected(selector, "shop") with data.inventory as namespaces with data.rampart.index as rampart.inventory_index(namespaces)
}

test_namespace_not_in_run_gets_the_benefit_of_the_doubt if {
	selectors.namespace_selected({"matchLabels": {"env": "prod"}}, "billing") with data.inventory as namespaces with data.rampart.index as rampart.inventory_index(namespaces)
}

test_namespace_not_in_run_is_checked_on_its_name if {
	selector := {"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "In", "values": ["shop"]}]}
	not selectors.namespace_selected(selector, "billing") with data.inventory as namespaces with data.rampart.index as rampart.inventory_index(namespaces)
	selectors.namespace_selected(selector, "shop") with data.inventory as namespaces with data.rampart.index as rampart.inventory_index(namespaces)
}

test_empty_namespace_selector_selects_every_namespace if {
	selectors.namespace_selected({}, "shop") with data.inventory as namespaces with data.rampart.index as rampart.inventory_index(namespaces)
	selectors.namespace_selected({}, "billing") with data.inventory as namespaces with data.rampart.index as rampart.inventory_index(namespaces)
}
