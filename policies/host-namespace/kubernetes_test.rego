package rampart.checks.host_namespace.kubernetes_test

import rego.v1

import data.rampart.checks.host_namespace.kubernetes as check

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web"},
	"spec": {"template": {"spec": pod_spec}},
}

test_each_host_namespace_is_reported_at_its_field if {
	spec := {"hostNetwork": true, "hostPID": true, "hostIPC": true, "containers": [{"name": "a"}]}
	results := check.deny with input as deployment(spec)
	count(results) == 3
	{r.path | some r in results} == {
		["spec", "template", "spec", "hostNetwork"],
		["spec", "template", "spec", "hostPID"],
		["spec", "template", "spec", "hostIPC"],
	}
}

test_message_names_object_and_field if {
	spec := {"hostPID": true, "containers": [{"name": "a"}]}
	results := check.deny with input as deployment(spec)
	{r.msg | some r in results} == {"Deployment `web` shares the host's PID namespace (hostPID: true)"}
}

test_false_and_unset_pass if {
	spec := {"hostNetwork": false, "hostPID": false, "containers": [{"name": "a"}]}
	count(check.deny) == 0 with input as deployment(spec)
}

test_string_true_is_not_true if {
	spec := {"hostNetwork": "true", "containers": [{"name": "a"}]}
	count(check.deny) == 0 with input as deployment(spec)
}

# The fields belong to the pod spec: set on a container or in a securityContext they mean nothing.
test_fields_outside_the_pod_spec_are_ignored if {
	spec := {
		"securityContext": {"hostNetwork": true},
		"containers": [{"name": "a", "hostPID": true, "securityContext": {"hostIPC": true}}],
	}
	count(check.deny) == 0 with input as deployment(spec)
}

test_bare_pod_path if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"hostNetwork": true, "containers": [{"name": "a"}]}}
	results := check.deny with input as pod
	{r.path | some r in results} == {["spec", "hostNetwork"]}
	{r.msg | some r in results} == {"Pod `p` shares the host's network namespace (hostNetwork: true)"}
}

test_cronjob_path if {
	cron := {
		"apiVersion": "batch/v1",
		"kind": "CronJob",
		"metadata": {"name": "c"},
		"spec": {"jobTemplate": {"spec": {"template": {"spec": {"hostIPC": true, "containers": [{"name": "a"}]}}}}},
	}
	results := check.deny with input as cron
	{r.path | some r in results} == {["spec", "jobTemplate", "spec", "template", "spec", "hostIPC"]}
}

test_unnamed_object if {
	obj := {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {}, "spec": {"template": {"spec": {"hostNetwork": true}}}}
	results := check.deny with input as obj
	{r.msg | some r in results} == {"DaemonSet `<unnamed>` shares the host's network namespace (hostNetwork: true)"}
}

test_non_workloads_are_ignored if {
	obj := {"apiVersion": "example.com/v1", "kind": "Elasticsearch", "metadata": {"name": "e"}, "spec": {"hostNetwork": true, "template": {"spec": {"hostPID": true}}}}
	count(check.deny) == 0 with input as obj
}
