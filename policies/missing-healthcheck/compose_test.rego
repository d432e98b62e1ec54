package rampart.checks.missing_healthcheck.compose_test

import rego.v1

import data.rampart.checks.missing_healthcheck.compose as check

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

# A project of several services, evaluated for `name`.
project_results(services, name) := rs if {
	inp := {
		"name": name,
		"service": services[name],
		"ports": [],
		"project": {"name": "shop", "services": {n: {"service": s, "ports": []} | some n, s in services}},
		"problems": [],
	}
	rs := check.deny with input as inp
}

with_healthcheck(healthcheck) := {"image": "nginx:1.27", "healthcheck": healthcheck}

missing := {{"msg": "service `web` has no healthcheck", "path": ["healthcheck"]}}

test_no_healthcheck_is_reported_at_the_service if {
	results({"image": "nginx:1.27"}) == missing
}

test_null_healthcheck_is_missing if {
	results({"image": "nginx:1.27", "healthcheck": null}) == missing
}

test_empty_healthcheck_is_missing if {
	results(with_healthcheck({})) == {{"msg": "service `web` has no healthcheck (healthcheck: {})", "path": ["healthcheck"]}}
}

test_disable_true_is_reported_at_the_key if {
	results(with_healthcheck({"disable": true})) == {{"msg": "service `web` has its healthcheck disabled (disable: true)", "path": ["healthcheck", "disable"]}}
}

# `disable` may come from interpolation as a string that Compose reads as true.
test_disable_true_strings_are_reported if {
	every value in ["true", "True", "yes", "on", "y"] {
		results(with_healthcheck({"disable": value})) == {{"msg": sprintf("service `web` has its healthcheck disabled (disable: %s)", [value]), "path": ["healthcheck", "disable"]}}
	}
}

# `disable` wins over a test (Docker Compose then sends ["NONE"]).
test_disable_with_a_test_is_reported if {
	results(with_healthcheck({"disable": true, "test": ["CMD", "true"]})) == {{"msg": "service `web` has its healthcheck disabled (disable: true)", "path": ["healthcheck", "disable"]}}
}

test_disable_false_with_a_test_passes if {
	count(results(with_healthcheck({"disable": false, "test": ["CMD", "true"]}))) == 0
	count(results(with_healthcheck({"disable": "false", "test": ["CMD", "true"]}))) == 0
}

test_test_none_is_reported_at_the_test if {
	results(with_healthcheck({"test": ["NONE"]})) == {{"msg": "service `web` has its healthcheck disabled (test: [\"NONE\"])", "path": ["healthcheck", "test"]}}
	results(with_healthcheck({"test": ["NONE"], "interval": "30s"})) == {{"msg": "service `web` has its healthcheck disabled (test: [\"NONE\"])", "path": ["healthcheck", "test"]}}
}

# The string form is `CMD-SHELL NONE` in Compose: not a way to disable, and never healthy.
test_test_none_string_is_reported if {
	results(with_healthcheck({"test": "NONE"})) == {{"msg": "service `web` has no working healthcheck: the string `test: NONE` runs `NONE` as a shell command, which fails", "path": ["healthcheck", "test"]}}
}

test_healthcheck_without_a_test_is_reported if {
	msg := "service `web` has a healthcheck without a test: it only tunes the image's HEALTHCHECK, if the image has one"
	results(with_healthcheck({"interval": "30s", "retries": 3})) == {{"msg": msg, "path": ["healthcheck"]}}
	results(with_healthcheck({"test": [], "interval": "30s"})) == {{"msg": msg, "path": ["healthcheck"]}}
	results(with_healthcheck({"test": null, "timeout": "5s"})) == {{"msg": msg, "path": ["healthcheck"]}}
	results(with_healthcheck({"disable": false})) == {{"msg": msg, "path": ["healthcheck"]}}
}

test_real_tests_pass if {
	every test in [
		["CMD", "curl", "-fsS", "http://127.0.0.1:8080/health"],
		["CMD-SHELL", "redis-cli ping | grep -q PONG"],
		"pg_isready -U app",
		"curl -f http://localhost/ || exit 1",
	] {
		count(results(with_healthcheck({"test": test, "interval": "10s", "timeout": "5s", "retries": 5}))) == 0
	}
}

# A list must start with CMD, CMD-SHELL or NONE (case-sensitive): compose-go rejects any other
# first item, and the Docker daemon runs no probe for one.
test_list_without_a_test_type_is_reported if {
	results(with_healthcheck({"test": ["curl", "-f", "http://localhost/"]})) == {{
		"msg": "service `web` has no working healthcheck: a test list must start with CMD, CMD-SHELL or NONE, not `curl` (Compose rejects the file)",
		"path": ["healthcheck", "test"],
	}}
	count(results(with_healthcheck({"test": ["none"]}))) == 1
	count(results(with_healthcheck({"test": ["cmd", "true"]}))) == 1
	count(results(with_healthcheck({"test": ["CMD-SHELL", "true"]}))) == 0
}

# A one-shot job that another service waits for with service_completed_successfully.
test_one_shot_job_is_not_checked if {
	services := {
		"migrate": {"image": "registry.example.com/app:3.2.0", "command": ["migrate"]},
		"app": {
			"image": "registry.example.com/app:3.2.0",
			"depends_on": {"migrate": {"condition": "service_completed_successfully"}},
			"healthcheck": {"test": ["CMD", "/app", "health"]},
		},
	}
	count(project_results(services, "migrate")) == 0
	count(project_results(services, "app")) == 0
}

test_services_waited_on_otherwise_are_checked if {
	services := {
		"db": {"image": "postgres:16.4"},
		"cache": {"image": "redis:7.2.4"},
		"queue": {"image": "rabbitmq:3.13"},
		"app": {
			"image": "registry.example.com/app:3.2.0",
			"depends_on": {
				"db": {"condition": "service_healthy"},
				"cache": {"condition": "service_started"},
			},
			"healthcheck": {"test": ["CMD", "/app", "health"]},
		},
		"worker": {
			"image": "registry.example.com/app:3.2.0",
			"depends_on": ["queue"],
			"healthcheck": {"test": ["CMD", "/app", "health"]},
		},
	}
	project_results(services, "db") == {{"msg": "service `db` has no healthcheck", "path": ["healthcheck"]}}
	count(project_results(services, "cache")) == 1
	count(project_results(services, "queue")) == 1
}

# `restart: "no"` is the default, not a sign of a one-shot job.
test_restart_no_is_still_checked if {
	results({"image": "nginx:1.27", "restart": "no"}) == missing
}

# A service's own depends_on does not exempt it.
test_own_depends_on_does_not_exempt if {
	services := {
		"seed": {"image": "registry.example.com/seed:1.0.0", "depends_on": {"db": {"condition": "service_completed_successfully"}}},
		"db": {"image": "postgres:16.4", "healthcheck": {"test": ["CMD-SHELL", "pg_isready"]}},
	}
	count(project_results(services, "seed")) == 1
	count(project_results(services, "db")) == 0
}

test_message_names_the_service if {
	inp := object.union(svc({"image": "redis:7.2.4"}), {"name": "cache"})
	rs := check.deny with input as inp
	rs == {{"msg": "service `cache` has no healthcheck", "path": ["healthcheck"]}}
}

# When several problems apply, the first in the order of the check is the one finding: a true
# `disable` before any test problem, `["NONE"]` before an unknown first item.
test_overlapping_problems_give_the_first if {
	disabled := {{"msg": "service `web` has its healthcheck disabled (disable: yes)", "path": ["healthcheck", "disable"]}}
	results(with_healthcheck({"disable": "yes", "test": ["NONE"]})) == disabled
	results(with_healthcheck({"disable": "yes", "test": ["curl", "-f", "http://localhost/"]})) == disabled
	results(with_healthcheck({"disable": "yes", "test": "NONE"})) == disabled
	results(with_healthcheck({"disable": "yes", "test": []})) == disabled
	results(with_healthcheck({"test": ["NONE", "curl"]})) == {{"msg": "service `web` has its healthcheck disabled (test: [\"NONE\"])", "path": ["healthcheck", "test"]}}
}

# A `healthcheck` that is not a map is missing (it has no test either); a list whose first item
# is not a string is neither a known nor an unknown test type: no finding.
test_odd_healthcheck_values if {
	results(with_healthcheck("CMD true")) == missing
	results(with_healthcheck([])) == missing
	results(with_healthcheck(false)) == missing
	results(with_healthcheck({"disable": null})) == {{"msg": "service `web` has a healthcheck without a test: it only tunes the image's HEALTHCHECK, if the image has one", "path": ["healthcheck"]}}
	results(with_healthcheck({"test": "none"})) == set()
	results(with_healthcheck({"test": [7]})) == set()
	results(with_healthcheck({"test": [null, "NONE"]})) == set()
}
