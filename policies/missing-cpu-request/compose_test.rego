package rampart.checks.missing_cpu_request.compose_test

import rego.v1

import data.rampart.checks.missing_cpu_request.compose as check

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
	"msg": "service `web` has no CPU reservation (deploy.resources.reservations.cpus)",
	"path": ["deploy", "resources", "reservations", "cpus"],
}}

test_no_deploy_is_reported if {
	results({"image": "nginx:1.27"}) == missing
}

test_reservations_without_cpus_is_reported if {
	results(deploy("reservations", {"memory": "256m"})) == missing
	results({"deploy": {"replicas": 2}}) == missing
	results({"deploy": {"resources": {}}}) == missing
	results({"deploy": {"resources": {"reservations": null}}}) == missing
	results(deploy("reservations", {"cpus": null})) == missing
}

# Compose does not default a reservation to the limit, as Kubernetes does.
test_a_limit_alone_is_reported if {
	results(deploy("limits", {"cpus": "1.0", "memory": "512m"})) == missing
	results({"cpus": 1.5}) == missing
}

# `cpu_shares` is a relative weight, not a reservation.
test_cpu_shares_is_not_a_reservation if {
	results({"cpu_shares": 512}) == missing
}

test_reservation_passes if {
	count(results(deploy("reservations", {"cpus": "0.25"}))) == 0
	count(results(deploy("reservations", {"cpus": 0.25}))) == 0
	count(results(deploy("reservations", {"cpus": 2}))) == 0
	count(results(deploy("reservations", {"cpus": ".5"}))) == 0
}

test_zero_reserves_nothing if {
	results(deploy("reservations", {"cpus": "0"})) == {{
		"msg": "service `web` has no CPU reservation: deploy.resources.reservations.cpus is 0, which sets none",
		"path": ["deploy", "resources", "reservations", "cpus"],
	}}
	count(results(deploy("reservations", {"cpus": 0.0}))) == 1
	count(results(deploy("reservations", {"cpus": "0.00"}))) == 1
}

# Compose rejects a value that is not a number; that is not this check's finding.
test_invalid_value_is_left_to_compose if {
	count(results(deploy("reservations", {"cpus": "half"}))) == 0
}

test_message_names_the_service if {
	inp := object.union(svc({"image": "redis:7.2.4"}), {"name": "cache"})
	rs := check.deny with input as inp
	rs == {{"msg": "service `cache` has no CPU reservation (deploy.resources.reservations.cpus)", "path": ["deploy", "resources", "reservations", "cpus"]}}
}
