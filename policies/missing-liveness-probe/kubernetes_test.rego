package rampart.checks.missing_liveness_probe.kubernetes_test

import rego.v1

import data.rampart.checks.missing_liveness_probe.kubernetes as check

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
	r.path == ["spec", "template", "spec", "containers", 0, "livenessProbe"]
}

test_container_with_probe if {
	spec := {"containers": [{"name": "a", "livenessProbe": {"tcpSocket": {"port": 80}}}]}
	count(check.deny) == 0 with input as workload("StatefulSet", spec)
}

test_only_the_container_missing_it if {
	spec := {"containers": [{"name": "a", "livenessProbe": {"exec": {"command": ["true"]}}}, {"name": "b"}]}
	results := check.deny with input as workload("DaemonSet", spec)
	count(results) == 1
	some r in results
	r.path[4] == 1
}

test_init_containers_need_no_probe if {
	spec := {"initContainers": [{"name": "init"}], "containers": [{"name": "a", "livenessProbe": {"grpc": {"port": 9000}}}]}
	count(check.deny) == 0 with input as workload("Deployment", spec)
}

test_jobs_are_not_long_running if {
	job := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	count(check.deny) == 0 with input as job
}
