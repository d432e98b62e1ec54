package rampart.checks.writable_root_filesystem.kubernetes_test

import rego.v1

import data.rampart.checks.writable_root_filesystem.kubernetes as check

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": pod_spec}},
}

one(sc) := deployment({"containers": [{"name": "a", "securityContext": sc}]})

rorf := ["spec", "template", "spec", "containers", 0, "securityContext", "readOnlyRootFilesystem"]

test_read_only_passes if {
	count(check.deny) == 0 with input as one({"readOnlyRootFilesystem": true})
}

test_unset_is_reported_at_where_it_goes if {
	results := check.deny with input as deployment({"containers": [{"name": "a"}]})
	count(results) == 1
	some r in results
	r.path == rorf
	r.msg == "container `a` has a writable root filesystem: readOnlyRootFilesystem is not set"
}

test_false_is_reported_at_the_field if {
	results := check.deny with input as one({"readOnlyRootFilesystem": false})
	count(results) == 1
	some r in results
	r.path == rorf
	r.msg == "container `a` has a writable root filesystem (readOnlyRootFilesystem: false)"
}

test_null_counts_as_unset if {
	results := check.deny with input as one({"readOnlyRootFilesystem": null})
	{r.msg | some r in results} == {"container `a` has a writable root filesystem: readOnlyRootFilesystem is not set"}
}

test_string_true_is_not_true if {
	results := check.deny with input as one({"readOnlyRootFilesystem": "true"})
	{r.msg | some r in results} == {"container `a` has a writable root filesystem (readOnlyRootFilesystem: \"true\")"}
}

# PodSecurityContext has no readOnlyRootFilesystem (Kubernetes API reference): a pod-level
# `true` does not make the containers read-only, and a pod-level `false` is not a finding.
test_pod_level_true_is_ignored if {
	spec := {"securityContext": {"readOnlyRootFilesystem": true}, "containers": [{"name": "a"}]}
	results := check.deny with input as deployment(spec)
	{r.path | some r in results} == {rorf}
}

test_pod_level_false_does_not_override_container if {
	spec := {
		"securityContext": {"readOnlyRootFilesystem": false},
		"containers": [{"name": "a", "securityContext": {"readOnlyRootFilesystem": true}}],
	}
	count(check.deny) == 0 with input as deployment(spec)
}

test_init_and_ephemeral_containers_are_checked if {
	spec := {
		"containers": [{"name": "a", "securityContext": {"readOnlyRootFilesystem": true}}],
		"initContainers": [{"name": "init", "securityContext": {"readOnlyRootFilesystem": false}}],
		"ephemeralContainers": [{"name": "debug"}],
	}
	results := check.deny with input as deployment(spec)
	{r.path | some r in results} == {
		["spec", "template", "spec", "initContainers", 0, "securityContext", "readOnlyRootFilesystem"],
		["spec", "template", "spec", "ephemeralContainers", 0, "securityContext", "readOnlyRootFilesystem"],
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
	{r.path | some r in results} == {["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "readOnlyRootFilesystem"]}
}

test_bare_pod_path if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}
	results := check.deny with input as pod
	{r.path | some r in results} == {["spec", "containers", 0, "securityContext", "readOnlyRootFilesystem"]}
}

test_windows_pods_are_skipped if {
	spec := {"os": {"name": "windows"}, "containers": [{"name": "a"}]}
	count(check.deny) == 0 with input as deployment(spec)
}

test_non_workloads_are_ignored if {
	count(check.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
}
