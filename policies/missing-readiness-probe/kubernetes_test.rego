package rampart.checks.missing_readiness_probe.kubernetes_test

import rego.v1

import data.rampart.checks.missing_readiness_probe.kubernetes as check

workload(kind, pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": kind,
	"metadata": {"name": "w"},
	"spec": {"template": {"spec": pod_spec}},
}

test_container_without_probe if {
	results := check.deny with input as workload("Deployment", {"containers": [{"name": "a"}]})
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "readinessProbe"]
	r.msg == "container `a` has no readinessProbe"
}

test_container_with_probe if {
	spec := {"containers": [{"name": "a", "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}}}]}
	count(check.deny) == 0 with input as workload("StatefulSet", spec)
}

test_liveness_probe_is_not_enough if {
	spec := {"containers": [{"name": "a", "livenessProbe": {"tcpSocket": {"port": 80}}}]}
	count(check.deny) == 1 with input as workload("Deployment", spec)
}

test_only_the_container_missing_it if {
	spec := {"containers": [{"name": "a", "readinessProbe": {"exec": {"command": ["true"]}}}, {"name": "b"}]}
	results := check.deny with input as workload("DaemonSet", spec)
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 1, "readinessProbe"]
	r.msg == "container `b` has no readinessProbe"
}

test_every_long_running_kind if {
	spec := {"containers": [{"name": "a"}]}
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"] {
		count(check.deny) == 1 with input as workload(kind, spec)
	}
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec}
	[r] := [x | some x in check.deny with input as pod]
	r.path == ["spec", "containers", 0, "readinessProbe"]
}

test_init_and_ephemeral_containers_need_no_probe if {
	spec := {
		"initContainers": [{"name": "init"}],
		"ephemeralContainers": [{"name": "debug"}],
		"containers": [{"name": "a", "readinessProbe": {"grpc": {"port": 9000}}}],
	}
	count(check.deny) == 0 with input as workload("Deployment", spec)
}

test_jobs_and_cronjobs_are_not_long_running if {
	job := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	count(check.deny) == 0 with input as job
	cron := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "c"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}},
	}
	count(check.deny) == 0 with input as cron
}

test_null_probe_is_no_probe if {
	spec := {"containers": [{"name": "a", "readinessProbe": null}]}
	count(check.deny) == 1 with input as workload("Deployment", spec)
}
