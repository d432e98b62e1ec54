package rampart.checks.missing_memory_limit.compose_test

import rego.v1

import data.rampart.checks.missing_memory_limit.compose as check

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
	"msg": "service `web` has no memory limit (deploy.resources.limits.memory or mem_limit)",
	"path": ["deploy", "resources", "limits", "memory"],
}}

test_no_deploy_is_reported if {
	results({"image": "nginx:1.27"}) == missing
}

test_limits_without_memory_is_reported if {
	results(deploy("limits", {"cpus": "1.0", "pids": 100})) == missing
	results({"deploy": {"resources": {"limits": null}}}) == missing
	results(deploy("limits", {"memory": null})) == missing
	results({"mem_limit": null}) == missing
}

test_a_reservation_is_not_a_limit if {
	results(deploy("reservations", {"memory": "256m"})) == missing
	results({"mem_reservation": "256m"}) == missing
}

# `memswap_limit` alone does not cap memory (Docker needs `mem_limit` with it).
test_memswap_limit_is_not_a_limit if {
	results({"memswap_limit": "1g"}) == missing
}

test_limit_passes if {
	every value in ["512m", "512M", "512mb", "1g", "1GB", "1GiB", "1.5G", "2048k", "536870912", 536870912, "512 m"] {
		count(results(deploy("limits", {"memory": value}))) == 0
	}
}

test_legacy_mem_limit_passes if {
	count(results({"mem_limit": "1g"})) == 0
	count(results({"mem_limit": 1073741824})) == 0
}

test_zero_is_no_limit if {
	results({"mem_limit": 0}) == {{"msg": "service `web` has no memory limit: mem_limit is 0, which sets none", "path": ["mem_limit"]}}
	results(deploy("limits", {"memory": "0m"})) == {{
		"msg": "service `web` has no memory limit: deploy.resources.limits.memory is 0m, which sets none",
		"path": ["deploy", "resources", "limits", "memory"],
	}}
}

test_either_key_with_a_value_passes if {
	count(results({"mem_limit": "1g", "deploy": {"resources": {"limits": {"memory": "1g"}}}})) == 0
	count(results({"mem_limit": "0", "deploy": {"resources": {"limits": {"memory": "1g"}}}})) == 0
}

# Compose rejects a value that is not a byte value; that is not this check's finding.
test_invalid_value_is_left_to_compose if {
	count(results(deploy("limits", {"memory": "512Mi"}))) == 0
	count(results({"mem_limit": "lots"})) == 0
}

test_message_names_the_service if {
	inp := object.union(svc({"image": "redis:7.2.4"}), {"name": "cache"})
	rs := check.deny with input as inp
	rs == {{"msg": "service `cache` has no memory limit (deploy.resources.limits.memory or mem_limit)", "path": ["deploy", "resources", "limits", "memory"]}}
}
