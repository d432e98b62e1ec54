package rampart.checks.mutable_image_tag.kubernetes_test

import rego.v1

import data.rampart.checks.mutable_image_tag.kubernetes as check

digest := "sha256:4c5f3e9a1b2d3c4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789"

pod(image) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p"},
	"spec": {"containers": [{"name": "app", "image": image}]},
}

findings(image) := results if {
	results := check.deny with input as pod(image)
}

test_untagged_is_reported if {
	results := findings("nginx")
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "image"]
	r.msg == "container `app` uses image `nginx` with no tag or digest (it means `latest`)"
}

test_latest_is_reported if {
	results := findings("docker.io/library/nginx:latest")
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "image"]
	r.msg == "container `app` uses image `docker.io/library/nginx:latest`, whose tag `latest` can change"
}

test_registry_port_is_not_a_tag if {
	count(findings("registry.example.com:5000/team/app")) == 1
	count(findings("localhost:5000/app")) == 1
	count(findings("registry.example.com:5000/team/app:1.4.2")) == 0
	count(findings("registry.example.com:5000/team/app:latest")) == 1
}

test_version_tag_passes if {
	count(findings("nginx:1.27.2")) == 0
	count(findings("ghcr.io/org/tool:v2")) == 0
	# Only the exact tag `latest` moves by convention; other names are tags like any other.
	count(findings("nginx:latest-alpine")) == 0
}

test_digest_pins if {
	count(findings(concat("@", ["app", digest]))) == 0
	count(findings(concat("@", ["app:1.2", digest]))) == 0
	count(findings(concat("@", ["registry:5000/ns/app:latest", digest]))) == 0
}

test_malformed_digest_does_not_pin if {
	count(findings("app@sha256:")) == 1
	count(findings("app@latest")) == 1
}

test_empty_tag_is_no_tag if {
	count(findings("app:")) == 1
}

test_init_and_ephemeral_containers if {
	obj := {
		"apiVersion": "apps/v1",
		"kind": "Deployment",
		"metadata": {"name": "d"},
		"spec": {"template": {"spec": {
			"initContainers": [{"name": "init", "image": "busybox"}],
			"containers": [{"name": "app", "image": "app:1.0"}],
			"ephemeralContainers": [{"name": "debug", "image": "busybox:latest"}],
		}}},
	}
	results := check.deny with input as obj
	{r.path | some r in results} == {
		["spec", "template", "spec", "initContainers", 0, "image"],
		["spec", "template", "spec", "ephemeralContainers", 0, "image"],
	}
}

test_cronjob if {
	obj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "job", "image": "mysql"}]}}}}}}
	results := check.deny with input as obj
	{r.path | some r in results} == {["spec", "jobTemplate", "spec", "template", "spec", "containers", 0, "image"]}
}

test_missing_image_is_not_this_check if {
	obj := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "app"}]}}
	count(check.deny) == 0 with input as obj
}

test_non_workloads_are_ignored if {
	obj := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"image": "nginx"}}
	count(check.deny) == 0 with input as obj
}
