package rampart.checks.request_exceeds_limit.compose_test

import rego.v1

import data.rampart.checks.request_exceeds_limit.compose as check

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

resources(limits, reservations) := {"image": "nginx:1.27", "deploy": {"resources": {"limits": limits, "reservations": reservations}}}

limit_path(resource) := ["deploy", "resources", "limits", resource]

reservation_path(resource) := ["deploy", "resources", "reservations", resource]

test_memory_reservation_above_limit if {
	results(resources({"memory": "512m"}, {"memory": "1g"})) == {{
		"msg": "service `web` reserves more memory (deploy.resources.reservations.memory: 1g) than its limit (deploy.resources.limits.memory: 512m)",
		"path": reservation_path("memory"),
		"related": [{"msg": "the memory limit is 512m", "path": limit_path("memory")}],
	}}
}

test_cpu_reservation_above_limit if {
	results(resources({"cpus": "0.5"}, {"cpus": "1"})) == {{
		"msg": "service `web` reserves more CPU (deploy.resources.reservations.cpus: 1) than its limit (deploy.resources.limits.cpus: 0.5)",
		"path": reservation_path("cpus"),
		"related": [{"msg": "the CPU limit is 0.5", "path": limit_path("cpus")}],
	}}
}

test_cpu_numbers_and_strings_mix if {
	count(results(resources({"cpus": 1}, {"cpus": "1.5"}))) == 1
	count(results(resources({"cpus": "1.0"}, {"cpus": 2}))) == 1
	count(results(resources({"cpus": 0.25}, {"cpus": ".3"}))) == 1
}

test_both_resources_give_two_findings if {
	rs := results(resources({"cpus": "0.5", "memory": "256m"}, {"cpus": "1", "memory": "512m"}))
	{r.path | some r in rs} == {reservation_path("cpus"), reservation_path("memory")}
}

test_legacy_keys_on_both_sides if {
	results({"mem_limit": "256m", "mem_reservation": "512m"}) == {{
		"msg": "service `web` reserves more memory (mem_reservation: 512m) than its limit (mem_limit: 256m)",
		"path": ["mem_reservation"],
		"related": [{"msg": "the memory limit is 256m", "path": ["mem_limit"]}],
	}}
}

test_deploy_reservation_against_legacy_limit if {
	results({"mem_limit": "1g", "deploy": {"resources": {"reservations": {"memory": "2g"}}}}) == {{
		"msg": "service `web` reserves more memory (deploy.resources.reservations.memory: 2g) than its limit (mem_limit: 1g)",
		"path": reservation_path("memory"),
		"related": [{"msg": "the memory limit is 1g", "path": ["mem_limit"]}],
	}}
	results({"cpus": 0.5, "deploy": {"resources": {"reservations": {"cpus": "1.0"}}}}) == {{
		"msg": "service `web` reserves more CPU (deploy.resources.reservations.cpus: 1.0) than its limit (cpus: 0.5)",
		"path": reservation_path("cpus"),
		"related": [{"msg": "the CPU limit is 0.5", "path": ["cpus"]}],
	}}
}

test_legacy_reservation_against_deploy_limit if {
	results({"mem_reservation": "2g", "deploy": {"resources": {"limits": {"memory": "1g"}}}}) == {{
		"msg": "service `web` reserves more memory (mem_reservation: 2g) than its limit (deploy.resources.limits.memory: 1g)",
		"path": ["mem_reservation"],
		"related": [{"msg": "the memory limit is 1g", "path": limit_path("memory")}],
	}}
}

# Both keys of a setting with the same value: one finding, at the `deploy.resources` key.
test_both_syntaxes_give_one_finding if {
	service := {
		"mem_limit": "1g",
		"mem_reservation": "2g",
		"deploy": {"resources": {"limits": {"memory": "1g"}, "reservations": {"memory": "2g"}}},
	}
	rs := results(service)
	count(rs) == 1
	{r.path | some r in rs} == {reservation_path("memory")}
}

test_units_are_powers_of_1024 if {
	count(results(resources({"memory": "1g"}, {"memory": "1025m"}))) == 1
	count(results(resources({"memory": "1g"}, {"memory": "1.5G"}))) == 1
	count(results(resources({"memory": "1g"}, {"memory": "1048577k"}))) == 1
	count(results(resources({"memory": 1073741824}, {"memory": "1073741825"}))) == 1
	count(results(resources({"memory": "1GB"}, {"memory": "2gib"}))) == 1
}

test_equal_values_written_differently_pass if {
	count(results(resources({"memory": "1g"}, {"memory": "1024m"}))) == 0
	count(results(resources({"memory": "1gb"}, {"memory": "1GiB"}))) == 0
	count(results(resources({"memory": "1.5G"}, {"memory": "1536M"}))) == 0
	count(results(resources({"memory": "1m"}, {"memory": "1024kb"}))) == 0
	count(results(resources({"memory": 1048576}, {"memory": "1m"}))) == 0
	count(results(resources({"cpus": "1.0"}, {"cpus": 1}))) == 0
	count(results(resources({"cpus": "0.50"}, {"cpus": ".5"}))) == 0
}

test_reservation_below_limit_passes if {
	count(results(resources({"cpus": "1.0", "memory": "2G"}, {"cpus": "0.5", "memory": "1G"}))) == 0
	count(results({"mem_limit": "1g", "mem_reservation": "512m", "cpus": 2})) == 0
}

# Not Kubernetes quantities: `1500m` is not 1.5 CPUs and `512Mi` not a byte value. Compose
# rejects these values; this check does not compare them.
test_invalid_values_are_not_compared if {
	count(results(resources({"cpus": "1"}, {"cpus": "1500m"}))) == 0
	count(results(resources({"memory": "1g"}, {"memory": "2Gi"}))) == 0
	count(results(resources({"memory": "lots"}, {"memory": "2g"}))) == 0
}

test_zero_limit_is_no_limit if {
	count(results(resources({"memory": "0"}, {"memory": "1g"}))) == 0
	count(results({"mem_limit": 0, "mem_reservation": "1g"})) == 0
	count(results({"cpus": 0, "deploy": {"resources": {"reservations": {"cpus": "1"}}}})) == 0
}

test_one_side_alone_passes if {
	count(results({"deploy": {"resources": {"reservations": {"cpus": "4", "memory": "8g"}}}})) == 0
	count(results({"deploy": {"resources": {"limits": {"cpus": "0.1", "memory": "8m"}}}})) == 0
	count(results({"image": "nginx:1.27"})) == 0
}

test_message_names_the_service if {
	inp := object.union(svc({"mem_limit": "256m", "mem_reservation": "512m"}), {"name": "cache"})
	rs := check.deny with input as inp
	count(rs) == 1
	every r in rs {
		startswith(r.msg, "service `cache` reserves more memory")
	}
}
