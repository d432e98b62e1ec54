package rampart.checks.privileged_container.kubernetes_test

import rego.v1

import data.rampart.checks.privileged_container.kubernetes as check

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": pod_spec}},
}

test_privileged_container_is_reported_at_the_field if {
	spec := {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}
	results := check.deny with input as deployment(spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "privileged"]
	r.msg == "container `a` is privileged"
}

test_privileged_false_or_unset_passes if {
	spec := {"containers": [{"name": "a", "securityContext": {"privileged": false}}, {"name": "b"}]}
	count(check.deny) == 0 with input as deployment(spec)
}

test_privileged_string_is_not_true if {
	spec := {"containers": [{"name": "a", "securityContext": {"privileged": "true"}}]}
	count(check.deny) == 0 with input as deployment(spec)
}

# PodSecurityContext has no `privileged` field (Kubernetes API reference, PodSecurityContext):
# a pod-level value is invalid, does not make the containers privileged, and is not reported.
test_pod_level_privileged_is_ignored if {
	spec := {"securityContext": {"privileged": true}, "containers": [{"name": "a"}]}
	count(check.deny) == 0 with input as deployment(spec)
}

# Nor does a pod-level `privileged: false` clear a container's own `privileged: true`.
test_pod_level_false_does_not_override_container if {
	spec := {
		"securityContext": {"privileged": false},
		"containers": [{"name": "a", "securityContext": {"privileged": true}}],
	}
	results := check.deny with input as deployment(spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "securityContext", "privileged"]
}

test_init_and_ephemeral_containers_are_checked if {
	spec := {
		"containers": [{"name": "a"}],
		"initContainers": [{"name": "init", "securityContext": {"privileged": true}}],
		"ephemeralContainers": [{"name": "debug", "securityContext": {"privileged": true}}],
	}
	results := check.deny with input as deployment(spec)
	paths := {r.path | some r in results}
	paths == {
		["spec", "template", "spec", "initContainers", 0, "securityContext", "privileged"],
		["spec", "template", "spec", "ephemeralContainers", 0, "securityContext", "privileged"],
	}
}

test_cronjob_path if {
	cron := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "c"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}}}},
	}
	results := check.deny with input as cron
	count(results) == 1
	some r in results
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "securityContext", "privileged"]
}

test_bare_pod_path if {
	pod := {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "p"},
		"spec": {"containers": [{"name": "a"}, {"name": "b", "securityContext": {"privileged": true}}]},
	}
	results := check.deny with input as pod
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 1, "securityContext", "privileged"]
	r.msg == "container `b` is privileged"
}

test_non_workloads_are_ignored if {
	obj := {"apiVersion": "example.com/v1", "kind": "RedisCluster", "metadata": {"name": "r"}, "spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}
	count(check.deny) == 0 with input as obj
}
