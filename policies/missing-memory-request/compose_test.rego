package rampart.checks.missing_memory_request.compose_test

import rego.v1

import data.rampart.checks.missing_memory_request.compose as check

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
	"msg": "service `web` has no memory reservation (deploy.resources.reservations.memory or mem_reservation)",
	"path": ["deploy", "resources", "reservations", "memory"],
}}

test_no_deploy_is_reported if {
	results({"image": "nginx:1.27"}) == missing
}

test_reservations_without_memory_is_reported if {
	results(deploy("reservations", {"cpus": "0.5"})) == missing
	results({"deploy": {"resources": {"reservations": null}}}) == missing
	results(deploy("reservations", {"memory": null})) == missing
	results({"mem_reservation": null}) == missing
}

# Compose does not default a reservation to the limit, as Kubernetes does.
test_a_limit_alone_is_reported if {
	results(deploy("limits", {"memory": "512m"})) == missing
	results({"mem_limit": "512m"}) == missing
}

test_reservation_passes if {
	every value in ["256m", "256M", "1g", "1gb", "1.5G", "2048k", "268435456", 268435456] {
		count(results(deploy("reservations", {"memory": value}))) == 0
	}
}

test_legacy_mem_reservation_passes if {
	count(results({"mem_reservation": "256m"})) == 0
	count(results({"mem_reservation": 268435456})) == 0
}

test_zero_reserves_nothing if {
	results(deploy("reservations", {"memory": "0"})) == {{
		"msg": "service `web` has no memory reservation: deploy.resources.reservations.memory is 0, which sets none",
		"path": ["deploy", "resources", "reservations", "memory"],
	}}
	results({"mem_reservation": 0}) == {{
		"msg": "service `web` has no memory reservation: mem_reservation is 0, which sets none",
		"path": ["mem_reservation"],
	}}
	count(results({"mem_reservation": "0m"})) == 1
}

# Compose rejects a value that is not a byte value; that is not this check's finding.
test_invalid_value_is_left_to_compose if {
	count(results(deploy("reservations", {"memory": "256Mi"}))) == 0
	count(results({"mem_reservation": "some"})) == 0
}

test_message_names_the_service if {
	inp := object.union(svc({"image": "redis:7.2.4"}), {"name": "cache"})
	rs := check.deny with input as inp
	rs == {{"msg": "service `cache` has no memory reservation (deploy.resources.reservations.memory or mem_reservation)", "path": ["deploy", "resources", "reservations", "memory"]}}
}
