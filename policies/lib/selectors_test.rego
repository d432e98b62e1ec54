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

# `matches` is the Rego twin of the Rust builtin `rampart.selector_matches` (kept for user
# policies): the built-in checks use the Rego one so that they run on the RVM. Both must decide
# every selector alike, malformed ones included.
match_cases := [
	[{}, {"app": "web"}, true],
	[{}, {}, true],
	[null, {"app": "web"}, false],
	["app=web", {"app": "web"}, false],
	[{"matchLabels": {"app": "web"}}, {"app": "web", "tier": "front"}, true],
	[{"matchLabels": {"app": "db"}}, {"app": "web"}, false],
	[{"matchLabels": {"app": "web"}}, {}, false],
	[{"matchLabels": {"app": "web"}}, null, false],
	[{"matchLabels": null}, {"app": "web"}, true],
	[{"matchLabels": "app=web"}, {"app": "web"}, false],
	[{"matchLabels": {"on": true}}, {"on": true}, true],
	[{"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "x"]}]}, {"app": "web"}, true],
	[{"matchExpressions": [{"key": "app", "operator": "In", "values": ["x"]}]}, {"app": "web"}, false],
	[{"matchExpressions": [{"key": "app", "operator": "In"}]}, {"app": "web"}, false],
	[{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["x"]}]}, {"app": "web"}, true],
	[{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, {"app": "web"}, false],
	[{"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, {"tier": "x"}, true],
	[{"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {"app": "web"}, true],
	[{"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {"app": false}, true],
	[{"matchExpressions": [{"key": "app", "operator": "Exists"}]}, {}, false],
	[{"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, {"app": "web"}, false],
	[{"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, {}, true],
	[{"matchExpressions": [{"key": "app", "operator": "Bogus"}]}, {"app": "web"}, false],
	[{"matchExpressions": [{"operator": "Exists"}]}, {"app": "web"}, false],
	[{"matchExpressions": ["app"]}, {"app": "web"}, false],
	[{"matchExpressions": null}, {"app": "web"}, true],
	[{"matchExpressions": []}, {"app": "web"}, true],
	[{"matchExpressions": {"key": "app"}}, {"app": "web"}, false],
	[
		{"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]},
		{"app": "web", "tier": "front"},
		true,
	],
	[
		{"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]},
		{"app": "web", "tier": "front"},
		false,
	],
]

rego_matches(selector, labels) if selectors.matches(selector, labels)

test_matches_decides_every_case if {
	wrong := [[i, case] |
		some i, case in match_cases
		decided := rego_matches(case[0], case[1])
		decided != case[2]
	]
	missing := [[i, case] |
		some i, case in match_cases
		case[2] == true
		not rego_matches(case[0], case[1])
	]
	wrong == []
	missing == []
}

test_matches_agrees_with_the_rust_builtin if {
	disagreements := [[i, case] |
		some i, case in match_cases
		builtin := rampart.selector_matches(case[0], case[1])
		builtin != case[2]
	]
	disagreements == []
}
