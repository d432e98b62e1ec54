package rampart.checks.invalid_topology_spread.kubernetes_test

import rego.v1

import data.rampart.checks.invalid_topology_spread.kubernetes as check

deployment(constraints) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"template": {"spec": {"topologySpreadConstraints": constraints}}},
}

valid := {
	"maxSkew": 1,
	"topologyKey": "topology.kubernetes.io/zone",
	"whenUnsatisfiable": "DoNotSchedule",
	"labelSelector": {"matchLabels": {"app": "web"}},
}

with_(extra) := object.union(valid, extra)

base := ["spec", "template", "spec", "topologySpreadConstraints"]

paths(constraints) := {r.path | some r in results} if {
	results := check.deny with input as deployment(constraints)
}

test_valid_constraints_pass if {
	count(check.deny) == 0 with input as deployment([valid, with_({"topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway"})])
	count(check.deny) == 0 with input as deployment([with_({"minDomains": 3, "nodeAffinityPolicy": "Honor", "nodeTaintsPolicy": "Ignore"})])
}

test_same_key_with_both_when_unsatisfiable_values_passes if {
	count(check.deny) == 0 with input as deployment([valid, with_({"whenUnsatisfiable": "ScheduleAnyway"})])
}

test_max_skew_below_one if {
	results := check.deny with input as deployment([with_({"maxSkew": 0})])
	count(results) == 1
	some r in results
	r.path == array.concat(base, [0, "maxSkew"])
	r.msg == "topologySpreadConstraints[0] of Deployment `web` has maxSkew 0, which the API server rejects: maxSkew must be an integer of at least 1"
}

test_max_skew_not_a_number_or_missing if {
	paths([with_({"maxSkew": "1"})]) == {array.concat(base, [0, "maxSkew"])}
	paths([with_({"maxSkew": 1.5})]) == {array.concat(base, [0, "maxSkew"])}
	paths([json.remove(valid, ["maxSkew"])]) == {array.concat(base, [0, "maxSkew"])}
	paths([valid, with_({"maxSkew": -1, "topologyKey": "kubernetes.io/hostname"})]) == {array.concat(base, [1, "maxSkew"])}
}

test_unknown_when_unsatisfiable if {
	results := check.deny with input as deployment([with_({"whenUnsatisfiable": "Sometimes"})])
	count(results) == 1
	some r in results
	r.path == array.concat(base, [0, "whenUnsatisfiable"])
	r.msg == "topologySpreadConstraints[0] of Deployment `web` has whenUnsatisfiable `Sometimes`, which the API server rejects: it must be DoNotSchedule or ScheduleAnyway"
	paths([json.remove(valid, ["whenUnsatisfiable"])]) == {array.concat(base, [0, "whenUnsatisfiable"])}
	paths([with_({"whenUnsatisfiable": "donotschedule"})]) == {array.concat(base, [0, "whenUnsatisfiable"])}
}

test_min_domains_with_schedule_anyway if {
	results := check.deny with input as deployment([with_({"whenUnsatisfiable": "ScheduleAnyway", "minDomains": 3})])
	count(results) == 1
	some r in results
	r.path == array.concat(base, [0, "minDomains"])
	contains(r.msg, "sets minDomains 3 with whenUnsatisfiable ScheduleAnyway")
}

test_min_domains_below_one if {
	paths([with_({"minDomains": 0})]) == {array.concat(base, [0, "minDomains"])}
	paths([with_({"minDomains": "2"})]) == {array.concat(base, [0, "minDomains"])}
	count(check.deny) == 0 with input as deployment([with_({"minDomains": null})])
}

test_empty_or_missing_topology_key if {
	results := check.deny with input as deployment([with_({"topologyKey": ""})])
	count(results) == 1
	some r in results
	r.path == array.concat(base, [0, "topologyKey"])
	r.msg == "topologySpreadConstraints[0] of Deployment `web` has an empty topologyKey, which the API server rejects: topologyKey must name a node label"
	paths([json.remove(valid, ["topologyKey"])]) == {array.concat(base, [0, "topologyKey"])}
}

test_node_policies if {
	paths([with_({"nodeAffinityPolicy": "Always"})]) == {array.concat(base, [0, "nodeAffinityPolicy"])}
	paths([with_({"nodeTaintsPolicy": "honor"})]) == {array.concat(base, [0, "nodeTaintsPolicy"])}
}

test_duplicate_key_and_when_unsatisfiable if {
	results := check.deny with input as deployment([valid, with_({"topologyKey": "kubernetes.io/hostname"}), with_({"maxSkew": 2})])
	count(results) == 1
	some r in results
	r.path == array.concat(base, [2, "topologyKey"])
	r.related == [{
		"msg": "topologySpreadConstraints[0] already uses topologyKey topology.kubernetes.io/zone with DoNotSchedule",
		"path": array.concat(base, [0, "topologyKey"]),
	}]
}

test_several_problems_in_one_constraint if {
	paths([{"maxSkew": 0, "topologyKey": "", "whenUnsatisfiable": "Maybe"}]) == {
		array.concat(base, [0, "maxSkew"]),
		array.concat(base, [0, "topologyKey"]),
		array.concat(base, [0, "whenUnsatisfiable"]),
	}
}

test_every_workload_kind_and_its_pod_spec if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"topologySpreadConstraints": [with_({"maxSkew": 0})]}}
	{r.path | some r in check.deny} == {["spec", "topologySpreadConstraints", 0, "maxSkew"]} with input as pod
	cron := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "c"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"topologySpreadConstraints": [with_({"maxSkew": 0})]}}}}},
	}
	{r.path | some r in check.deny} == {["spec", "jobTemplate", "spec", "template", "spec", "topologySpreadConstraints", 0, "maxSkew"]} with input as cron
	daemonset := object.union(deployment([with_({"maxSkew": 0})]), {"kind": "DaemonSet"})
	count(check.deny) == 1 with input as daemonset
}

test_not_a_workload if {
	count(check.deny) == 0 with input as object.union(deployment([with_({"maxSkew": 0})]), {"kind": "PodTemplate"})
}

# How a field's value is shown: missing and null alike, the empty string before other strings
# (it is one too), then other strings quoted and any other value as it is.
test_has_for_every_kind_of_value if {
	check.has({}, "maxSkew") == "has no maxSkew"
	check.has({"maxSkew": null}, "maxSkew") == "has no maxSkew"
	check.has({"topologyKey": ""}, "topologyKey") == "has an empty topologyKey"
	check.has({"topologyKey": " "}, "topologyKey") == "has topologyKey ` `"
	check.has({"maxSkew": "1"}, "maxSkew") == "has maxSkew `1`"
	check.has({"maxSkew": false}, "maxSkew") == "has maxSkew false"
	check.has({"maxSkew": 0}, "maxSkew") == "has maxSkew 0"
	check.has({"maxSkew": 1.5}, "maxSkew") == "has maxSkew 1.5"
	check.has({"maxSkew": []}, "maxSkew") == "has maxSkew []"
	check.has({"maxSkew": [""]}, "maxSkew") == `has maxSkew [""]`
}
