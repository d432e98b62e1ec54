package rampart.checks.dangerous_capabilities.kubernetes_test

import rego.v1

import data.rampart.checks.dangerous_capabilities.kubernetes as check

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": pod_spec}},
}

one(caps) := deployment({"containers": [{"name": "a", "securityContext": {"capabilities": caps}}]})

caps_path := ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities"]

test_drop_all_passes if {
	count(check.deny) == 0 with input as one({"drop": ["ALL"]})
}

test_drop_all_is_case_insensitive if {
	count(check.deny) == 0 with input as one({"drop": ["all"]})
	count(check.deny) == 0 with input as one({"drop": ["NET_RAW", "All"]})
}

test_cap_all_is_not_all if {
	results := check.deny with input as one({"drop": ["CAP_ALL"]})
	{r.path | some r in results} == {array.concat(caps_path, ["drop"])}
}

test_net_bind_service_alone_passes if {
	count(check.deny) == 0 with input as one({"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]})
	count(check.deny) == 0 with input as one({"add": ["cap_net_bind_service"], "drop": ["ALL"]})
}

test_no_security_context_lacks_drop_all if {
	results := check.deny with input as deployment({"containers": [{"name": "a"}]})
	count(results) == 1
	some r in results
	r.path == array.concat(caps_path, ["drop"])
	r.msg == "container `a` does not drop ALL capabilities"
}

test_drop_without_all_is_reported_at_drop if {
	results := check.deny with input as one({"drop": ["NET_RAW", "MKNOD"]})
	count(results) == 1
	some r in results
	r.path == array.concat(caps_path, ["drop"])
	r.msg == "container `a` drops NET_RAW, MKNOD but not ALL capabilities"
}

test_empty_drop_lacks_all if {
	results := check.deny with input as one({"drop": []})
	{r.msg | some r in results} == {"container `a` does not drop ALL capabilities"}
}

test_each_added_capability_is_reported_at_its_item if {
	results := check.deny with input as one({"add": ["NET_ADMIN", "NET_BIND_SERVICE", "SYS_TIME"], "drop": ["ALL"]})
	count(results) == 2
	{r.path | some r in results} == {
		array.concat(caps_path, ["add", 0]),
		array.concat(caps_path, ["add", 2]),
	}
	{r.msg | some r in results} == {"container `a` adds capability NET_ADMIN", "container `a` adds capability SYS_TIME"}
}

test_sys_admin_in_every_spelling if {
	results := check.deny with input as one({"add": ["CAP_SYS_ADMIN", "SYS_ADMIN", "sys_admin"], "drop": ["ALL"]})
	count(results) == 3
	{r.msg | some r in results} == {
		"container `a` adds capability CAP_SYS_ADMIN",
		"container `a` adds capability SYS_ADMIN",
		"container `a` adds capability sys_admin",
	}
}

test_add_all_is_reported if {
	results := check.deny with input as one({"add": ["all"], "drop": ["ALL"]})
	{r.msg | some r in results} == {"container `a` adds all capabilities (all)"}
}

test_add_and_missing_drop_both_reported if {
	results := check.deny with input as one({"add": ["NET_RAW"]})
	{r.path | some r in results} == {array.concat(caps_path, ["add", 0]), array.concat(caps_path, ["drop"])}
}

test_non_string_capability_is_reported if {
	results := check.deny with input as one({"add": [7], "drop": ["ALL"]})
	{r.msg | some r in results} == {"container `a` adds capability 7"}
}

# PodSecurityContext has no `capabilities` (Kubernetes API reference): pod-level values neither
# drop nor add anything for the containers.
test_pod_level_capabilities_are_ignored if {
	spec := {
		"securityContext": {"capabilities": {"add": ["SYS_ADMIN"], "drop": ["ALL"]}},
		"containers": [{"name": "a"}],
	}
	results := check.deny with input as deployment(spec)
	{r.path | some r in results} == {array.concat(caps_path, ["drop"])}
}

test_init_and_ephemeral_containers_are_checked if {
	spec := {
		"containers": [{"name": "a", "securityContext": {"capabilities": {"drop": ["ALL"]}}}],
		"initContainers": [{"name": "init", "securityContext": {"capabilities": {"add": ["CHOWN"], "drop": ["ALL"]}}}],
		"ephemeralContainers": [{"name": "debug", "securityContext": {"capabilities": {"add": ["SYS_PTRACE"], "drop": ["ALL"]}}}],
	}
	results := check.deny with input as deployment(spec)
	{r.path | some r in results} == {
		["spec", "template", "spec", "initContainers", 0, "securityContext", "capabilities", "add", 0],
		["spec", "template", "spec", "ephemeralContainers", 0, "securityContext", "capabilities", "add", 0],
	}
}

test_cronjob_path if {
	cron := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "c"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}},
	}
	results := check.deny with input as cron
	{r.path | some r in results} == {["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "drop"]}
}

test_bare_pod_path if {
	pod := {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "p"},
		"spec": {"containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["NET_RAW"], "drop": ["ALL"]}}}]},
	}
	results := check.deny with input as pod
	{r.path | some r in results} == {["spec", "containers", 0, "securityContext", "capabilities", "add", 0]}
}

test_windows_pods_are_skipped if {
	spec := {"os": {"name": "windows"}, "containers": [{"name": "a"}]}
	count(check.deny) == 0 with input as deployment(spec)
}

test_non_workloads_are_ignored if {
	count(check.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
}
