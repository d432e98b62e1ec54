# METADATA
# description: |
#   A Compose service without a working `healthcheck`: none at all (or `healthcheck: null`, or
#   an empty one); a `healthcheck` whose `disable` is true (`true`, or a string Compose reads as
#   true such as `"true"`); a `test` of `["NONE"]` (a list whose first item is `NONE`), which
#   disables it too; a `test` that is the string `NONE`, which Compose runs as the shell
#   command `NONE` (`["CMD-SHELL", "NONE"]`) that fails every time; a `test` list whose first
#   item is not `CMD`, `CMD-SHELL` or `NONE`, in that case (`["curl", "-f", ...]`), which
#   Compose rejects ("healthcheck.test must start either by ...") and older versions ran as no
#   check at all; or a `healthcheck` without a `test` (or with an empty `test` list), which only
#   tunes the image's `HEALTHCHECK`.
#
#   rampart does not read images, so a `HEALTHCHECK` in the image's Dockerfile is invisible to
#   it: the check wants the healthcheck written in the compose file, where it can be reviewed
#   and where `depends_on: {condition: service_healthy}` visibly relies on it. A service that
#   another service of the project waits for with `depends_on` `condition:
#   service_completed_successfully` runs to completion (a migration, a seed job) and is not
#   checked. `restart: "no"` is not taken as a sign of a one-shot job: it is the default.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#healthcheck
#     description: Compose specification, services (healthcheck)
#   - ref: https://docs.docker.com/reference/dockerfile/#healthcheck
#     description: Dockerfile reference (HEALTHCHECK)
#   - ref: https://docs.docker.com/compose/how-tos/startup-order/
#     description: Control startup order in Compose
# custom:
#   targets: [compose-service]
#   why: |
#     without a healthcheck Docker only knows whether the process runs, not
#     whether it serves. `depends_on` with `condition: service_healthy` cannot be used, so
#     dependent services start against a backend that is not ready; `docker compose up --wait`
#     and `docker ps` report a hung service as up; and Swarm neither waits for a task to be
#     healthy during an update nor replaces one that stops responding.
#   remediation: |
#     Add a `healthcheck` with a `test` that succeeds only when the service can serve
#     requests, e.g. `test: ["CMD", "curl", "-fsS", "http://127.0.0.1:8080/health"]` or
#     `test: ["CMD-SHELL", "pg_isready -U app"]` (with a binary the image contains), plus
#     `interval`, `timeout`, `retries` and `start_period`; then let dependent services use
#     `depends_on: {<service>: {condition: service_healthy}}`.
package rampart.checks.missing_healthcheck.compose

import rego.v1

import data.rampart.lib.compose_security as cs

deny contains finding if {
	not runs_to_completion
	finding := problem
}

# At most one finding per service: each form below excludes the ones before it.
problem := {
	"msg": sprintf("service `%s` has no healthcheck", [input.name]),
	"path": ["healthcheck"],
} if {
	not is_object(input.service.healthcheck)
}

problem := {
	"msg": sprintf("service `%s` has no healthcheck (healthcheck: {})", [input.name]),
	"path": ["healthcheck"],
} if {
	is_object(input.service.healthcheck)
	count(input.service.healthcheck) == 0
}

problem := {
	"msg": sprintf("service `%s` has its healthcheck disabled (disable: %v)", [input.name, input.service.healthcheck.disable]),
	"path": ["healthcheck", "disable"],
} if {
	healthcheck_with_keys
	disabled
}

problem := {
	"msg": sprintf("service `%s` has its healthcheck disabled (test: [\"NONE\"])", [input.name]),
	"path": ["healthcheck", "test"],
} if {
	healthcheck_with_keys
	not disabled
	disabled_by_test
}

problem := {
	"msg": sprintf("service `%s` has no working healthcheck: a test list must start with CMD, CMD-SHELL or NONE, not `%s` (Compose rejects the file)", [input.name, input.service.healthcheck.test[0]]),
	"path": ["healthcheck", "test"],
} if {
	healthcheck_with_keys
	not disabled
	unknown_test_type
}

# (A string `test` is never a list, so this form never meets the two before.)
problem := {
	"msg": sprintf("service `%s` has no working healthcheck: the string `test: NONE` runs `NONE` as a shell command, which fails", [input.name]),
	"path": ["healthcheck", "test"],
} if {
	healthcheck_with_keys
	not disabled
	input.service.healthcheck.test == "NONE"
}

# (The three forms before have a test.)
problem := {
	"msg": sprintf("service `%s` has a healthcheck without a test: it only tunes the image's HEALTHCHECK, if the image has one", [input.name]),
	"path": ["healthcheck"],
} if {
	healthcheck_with_keys
	not disabled
	not has_test(input.service.healthcheck)
}

# `healthcheck` is a map with at least one key.
healthcheck_with_keys if {
	is_object(input.service.healthcheck)
	count(input.service.healthcheck) > 0
}

# `disable` is true (or a string Compose reads as true).
disabled if {
	# The key first: on the RVM a function is called even when its argument is undefined.
	input.service.healthcheck.disable
	cs.is_true(input.service.healthcheck.disable)
}

# `test` is a list whose first item is NONE.
disabled_by_test if {
	test := input.service.healthcheck.test
	is_array(test)
	count(test) > 0
	test[0] == "NONE"
}

# `test` is a list whose first item is a string other than CMD, CMD-SHELL and NONE.
unknown_test_type if {
	test := input.service.healthcheck.test
	is_array(test)
	count(test) > 0
	is_string(test[0])
	not test[0] in {"CMD", "CMD-SHELL", "NONE"}
}

has_test(healthcheck) if {
	is_string(healthcheck.test)
}

has_test(healthcheck) if {
	is_array(healthcheck.test)
	count(healthcheck.test) > 0
}

# Another service waits for this one to exit successfully: it is a one-shot job.
# rampart decides this once per service in Rust (`data.rampart.facts.awaited_to_complete`):
# scanning every service of the project for every service was a twentieth of a Compose run.
runs_to_completion if data.rampart.facts.awaited_to_complete == true

runs_to_completion if {
	not is_boolean(data.rampart.facts.awaited_to_complete)
	computed_runs_to_completion
}

computed_runs_to_completion if {
	some other, entry in input.project.services
	other != input.name
	is_object(entry.service.depends_on)
	entry.service.depends_on[input.name].condition == "service_completed_successfully"
}
