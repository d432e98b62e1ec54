package rampart.checks.missing_cpu_limit.compose_test

import rego.v1

import data.rampart.checks.missing_cpu_limit.compose as check

svc(service) := {
	"name": "web",
	"service": service,
	"ports": [],
	"project": {"name": "shop", "services": {"web": {"service": service, "ports": []}}},
	"problems": [],
}

results(service) := rs if {
	rs := check.deny with input as svc(service)
}

deploy(section, resources) := {"image": "nginx:1.27", "deploy": {"resources": {section: resources}}}

missing := {{
	"msg": "service `web` has no CPU limit (deploy.resources.limits.cpus or cpus)",
	"path": ["deploy", "resources", "limits", "cpus"],
}}

test_no_deploy_is_reported if {
	results({"image": "nginx:1.27"}) == missing
}

test_limits_without_cpus_is_reported if {
	results(deploy("limits", {"memory": "512m", "pids": 100})) == missing
	results({"deploy": {"resources": {"limits": null}}}) == missing
	results(deploy("limits", {"cpus": null})) == missing
	results({"cpus": null}) == missing
}

test_a_reservation_is_not_a_limit if {
	results(deploy("reservations", {"cpus": "0.5"})) == missing
}

# `cpu_shares` and `cpuset` do not cap the CPU time a container gets.
test_cpu_shares_is_not_a_limit if {
	results({"cpu_shares": 512}) == missing
}

test_limit_passes if {
	every value in ["1.0", "0.5", ".5", 2, 0.25, "1e0"] {
		count(results(deploy("limits", {"cpus": value}))) == 0
	}
}

test_legacy_cpus_passes if {
	count(results({"cpus": 1.5})) == 0
	count(results({"cpus": "0.5"})) == 0
}

test_zero_is_no_limit if {
	results({"cpus": 0}) == {{"msg": "service `web` has no CPU limit: cpus is 0, which sets none", "path": ["cpus"]}}
	results(deploy("limits", {"cpus": "0.0"})) == {{
		"msg": "service `web` has no CPU limit: deploy.resources.limits.cpus is 0.0, which sets none",
		"path": ["deploy", "resources", "limits", "cpus"],
	}}
}

# Both keys set: the non-zero one limits (Compose rejects distinct values anyway).
test_either_key_with_a_value_passes if {
	count(results({"cpus": "1.0", "deploy": {"resources": {"limits": {"cpus": "1.0"}}}})) == 0
	count(results({"cpus": 0, "deploy": {"resources": {"limits": {"cpus": "1.0"}}}})) == 0
}

# Compose rejects a value that is not a number; that is not this check's finding.
test_invalid_value_is_left_to_compose if {
	count(results(deploy("limits", {"cpus": "500m"}))) == 0
}

test_message_names_the_service if {
	inp := object.union(svc({"image": "redis:7.2.4"}), {"name": "cache"})
	rs := check.deny with input as inp
	rs == {{"msg": "service `cache` has no CPU limit (deploy.resources.limits.cpus or cpus)", "path": ["deploy", "resources", "limits", "cpus"]}}
}
