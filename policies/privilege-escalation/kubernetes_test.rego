package rampart.checks.privilege_escalation.kubernetes_test

import rego.v1

import data.rampart.checks.privilege_escalation.kubernetes as check

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": pod_spec}},
}

one(sc) := deployment({"containers": [{"name": "a", "securityContext": sc}]})

ape := ["spec", "template", "spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"]

test_false_passes if {
	count(check.deny) == 0 with input as one({"allowPrivilegeEscalation": false})
}

test_unset_is_reported_at_where_it_goes if {
	results := check.deny with input as deployment({"containers": [{"name": "a"}]})
	count(results) == 1
	some r in results
	r.path == ape
	r.msg == "container `a` allows privilege escalation: allowPrivilegeEscalation is not set and defaults to true"
}

test_null_counts_as_unset if {
	results := check.deny with input as one({"allowPrivilegeEscalation": null})
	{r.msg | some r in results} == {"container `a` allows privilege escalation: allowPrivilegeEscalation is not set and defaults to true"}
}

test_true_is_reported_at_the_field if {
	results := check.deny with input as one({"allowPrivilegeEscalation": true})
	count(results) == 1
	some r in results
	r.path == ape
	r.msg == "container `a` allows privilege escalation (allowPrivilegeEscalation: true)"
}

test_string_false_is_not_false if {
	results := check.deny with input as one({"allowPrivilegeEscalation": "false"})
	{r.msg | some r in results} == {"container `a` allows privilege escalation (allowPrivilegeEscalation: \"false\")"}
}

# PodSecurityContext has no allowPrivilegeEscalation (Kubernetes API reference): a pod-level
# `false` is not a default for the containers, and a pod-level `true` is not a finding.
test_pod_level_false_is_ignored if {
	spec := {"securityContext": {"allowPrivilegeEscalation": false}, "containers": [{"name": "a"}]}
	results := check.deny with input as deployment(spec)
	{r.path | some r in results} == {ape}
}

test_pod_level_true_does_not_override_container_false if {
	spec := {
		"securityContext": {"allowPrivilegeEscalation": true},
		"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}],
	}
	count(check.deny) == 0 with input as deployment(spec)
}

test_privileged_forces_escalation if {
	results := check.deny with input as one({"allowPrivilegeEscalation": false, "privileged": true})
	count(results) == 1
	some r in results
	r.path == ape
	r.msg == "container `a` allows privilege escalation: it is privileged, which always allows it"
	r.related == [{"msg": "privileged here", "path": ["spec", "template", "spec", "containers", 0, "securityContext", "privileged"]}]
}

# PodSecurityContext has no `privileged` either: a pod-level `privileged: true` forces nothing.
test_pod_level_privileged_is_ignored if {
	spec := {
		"securityContext": {"privileged": true},
		"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}],
	}
	count(check.deny) == 0 with input as deployment(spec)
}

test_cap_sys_admin_forces_escalation if {
	sc := {"allowPrivilegeEscalation": false, "capabilities": {"add": ["NET_BIND_SERVICE", "CAP_SYS_ADMIN"], "drop": ["ALL"]}}
	results := check.deny with input as one(sc)
	count(results) == 1
	some r in results
	r.path == ape
	r.msg == "container `a` allows privilege escalation: it adds CAP_SYS_ADMIN, which always allows it"
	r.related == [{"msg": "CAP_SYS_ADMIN added here", "path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", 1]}]
}

test_sys_admin_without_prefix_forces_escalation if {
	results := check.deny with input as one({"allowPrivilegeEscalation": false, "capabilities": {"add": ["SYS_ADMIN"]}})
	{r.msg | some r in results} == {"container `a` allows privilege escalation: it adds CAP_SYS_ADMIN, which always allows it"}
}

test_lower_case_sys_admin_forces_escalation if {
	results := check.deny with input as one({"allowPrivilegeEscalation": false, "capabilities": {"add": ["sys_admin"]}})
	count(results) == 1
}

test_add_all_forces_escalation if {
	results := check.deny with input as one({"allowPrivilegeEscalation": false, "capabilities": {"add": ["ALL"]}})
	count(results) == 1
	some r in results
	r.msg == "container `a` allows privilege escalation: it adds ALL capabilities, CAP_SYS_ADMIN included, which always allows it"
	r.related == [{"msg": "ALL capabilities added here", "path": ["spec", "template", "spec", "containers", 0, "securityContext", "capabilities", "add", 0]}]
}

test_sys_admin_dropped_by_name_does_not_force if {
	sc := {"allowPrivilegeEscalation": false, "capabilities": {"add": ["ALL"], "drop": ["SYS_ADMIN"]}}
	count(check.deny) == 0 with input as one(sc)
}

test_other_capabilities_do_not_force if {
	sc := {"allowPrivilegeEscalation": false, "capabilities": {"add": ["NET_ADMIN", "SYS_PTRACE"], "drop": ["SYS_ADMIN"]}}
	count(check.deny) == 0 with input as one(sc)
}

# One finding per container even when several reasons apply; an explicit true is named first.
test_one_finding_per_container if {
	sc := {"allowPrivilegeEscalation": true, "privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}}
	results := check.deny with input as one(sc)
	count(results) == 1
	some r in results
	r.msg == "container `a` allows privilege escalation (allowPrivilegeEscalation: true)"
}

test_privileged_and_unset if {
	results := check.deny with input as one({"privileged": true})
	{r.msg | some r in results} == {"container `a` allows privilege escalation: it is privileged, which always allows it"}
}

test_init_and_ephemeral_containers_are_checked if {
	spec := {
		"containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false}}],
		"initContainers": [{"name": "init"}],
		"ephemeralContainers": [{"name": "debug", "securityContext": {"allowPrivilegeEscalation": true}}],
	}
	results := check.deny with input as deployment(spec)
	{r.path | some r in results} == {
		["spec", "template", "spec", "initContainers", 0, "securityContext", "allowPrivilegeEscalation"],
		["spec", "template", "spec", "ephemeralContainers", 0, "securityContext", "allowPrivilegeEscalation"],
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
	{r.path | some r in results} == {["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"]}
}

test_bare_pod_path if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}
	results := check.deny with input as pod
	{r.path | some r in results} == {["spec", "containers", 0, "securityContext", "allowPrivilegeEscalation"]}
}

test_windows_pods_are_skipped if {
	spec := {"os": {"name": "windows"}, "containers": [{"name": "a"}]}
	count(check.deny) == 0 with input as deployment(spec)
}

test_linux_os_is_checked if {
	spec := {"os": {"name": "linux"}, "containers": [{"name": "a"}]}
	count(check.deny) == 1 with input as deployment(spec)
}

test_non_workloads_are_ignored if {
	count(check.deny) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
}
