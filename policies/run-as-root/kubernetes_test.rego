package rampart.checks.run_as_root.kubernetes_test

import rego.v1

import data.rampart.checks.run_as_root.kubernetes as check

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": pod_spec}},
}

test_container_without_settings_may_run_as_root if {
	results := check.deny with input as deployment({"containers": [{"name": "a"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]
}

test_pod_run_as_non_root_is_inherited if {
	spec := {"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "a"}]}
	count(check.deny) == 0 with input as deployment(spec)
}

test_container_overrides_pod if {
	spec := {
		"securityContext": {"runAsNonRoot": true},
		"containers": [{"name": "a", "securityContext": {"runAsNonRoot": false}}],
	}
	results := check.deny with input as deployment(spec)
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]
}

test_non_zero_user_is_enough if {
	spec := {"containers": [{"name": "a", "securityContext": {"runAsUser": 1000}}]}
	count(check.deny) == 0 with input as deployment(spec)
}

test_run_as_user_zero_is_always_reported if {
	spec := {
		"securityContext": {"runAsNonRoot": true, "runAsUser": 0},
		"containers": [{"name": "a"}],
	}
	results := check.deny with input as deployment(spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "securityContext", "runAsUser"]
}

test_init_and_ephemeral_containers_are_checked if {
	spec := {
		"securityContext": {"runAsUser": 1000},
		"containers": [{"name": "a"}],
		"initContainers": [{"name": "init", "securityContext": {"runAsUser": 0}}],
		"ephemeralContainers": [{"name": "debug", "securityContext": {"runAsUser": 0}}],
	}
	results := check.deny with input as deployment(spec)
	count(results) == 2
}

test_cronjob_pod_spec_path if {
	cron := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "c"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}},
	}
	results := check.deny with input as cron
	some r in results
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]
}

test_bare_pod if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}
	results := check.deny with input as pod
	some r in results
	r.path == ["spec", "containers", 0, "securityContext", "runAsNonRoot"]
}

test_non_workloads_are_ignored if {
	count(check.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
}

test_container_user_overrides_pod_root_user if {
	spec := {
		"securityContext": {"runAsUser": 0},
		"containers": [{"name": "a", "securityContext": {"runAsUser": 1000}}],
	}
	count(check.deny) == 0 with input as deployment(spec)
}

test_container_run_as_non_root_overrides_pod_false if {
	spec := {
		"securityContext": {"runAsNonRoot": false},
		"containers": [{"name": "a", "securityContext": {"runAsNonRoot": true}}],
	}
	count(check.deny) == 0 with input as deployment(spec)
}

test_pod_level_false_is_reported_at_the_pod if {
	spec := {"securityContext": {"runAsNonRoot": false}, "containers": [{"name": "a"}]}
	results := check.deny with input as deployment(spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "securityContext", "runAsNonRoot"]
}

test_null_user_counts_as_unset if {
	spec := {"containers": [{"name": "a", "securityContext": {"runAsUser": null}}]}
	results := check.deny with input as deployment(spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "runAsNonRoot"]
}

test_init_and_ephemeral_container_paths if {
	spec := {
		"securityContext": {"runAsUser": 1000},
		"containers": [{"name": "a"}],
		"initContainers": [{"name": "init", "securityContext": {"runAsUser": 0}}],
		"ephemeralContainers": [{"name": "debug", "securityContext": {"runAsUser": 0}}],
	}
	results := check.deny with input as deployment(spec)
	{r.path | some r in results} == {
		["spec", "template", "spec", "initContainers", 0, "securityContext", "runAsUser"],
		["spec", "template", "spec", "ephemeralContainers", 0, "securityContext", "runAsUser"],
	}
}
