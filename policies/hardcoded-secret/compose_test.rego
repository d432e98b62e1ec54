package rampart.checks.hardcoded_secret.compose_test

import rego.v1

import data.rampart.checks.hardcoded_secret.compose as check

svc(service) := {
	"name": "db",
	"service": service,
	"ports": [],
	"project": {"name": "shop", "services": {"db": {"service": service, "ports": []}}},
	"problems": [],
}

findings(environment) := results if {
	results := check.deny with input as svc({"image": "postgres:16.4", "environment": environment})
}

paths(environment) := {r.path | some r in findings(environment)}

test_map_form_is_reported_at_the_entry if {
	findings({"POSTGRES_USER": "app", "POSTGRES_PASSWORD": "hunter2"}) == {{
		"msg": "service `db` sets `POSTGRES_PASSWORD` to a literal value in `environment`; take it from a secret",
		"path": ["environment", "POSTGRES_PASSWORD"],
	}}
}

test_list_form_is_reported_at_the_item if {
	findings(["MINIO_ROOT_USER=minioadmin", "MINIO_ROOT_PASSWORD=minioadmin"]) == {{
		"msg": "service `db` sets `MINIO_ROOT_PASSWORD` to a literal value in `environment`; take it from a secret",
		"path": ["environment", 1],
	}}
}

test_the_value_is_never_printed if {
	every r in findings({"DB_PASSWORD": "hunter2", "API_KEY": "sk-live-123"}) {
		not contains(r.msg, "hunter2")
		not contains(r.msg, "sk-live-123")
	}
	every r in findings(["DB_PASSWORD=hunter2"]) {
		not contains(r.msg, "hunter2")
	}
}

test_every_credential_entry_is_reported if {
	paths({
		"DB_PASSWORD": "a",
		"JWT_SECRET": "b",
		"GITHUB_TOKEN": "c",
		"AWS_SECRET_ACCESS_KEY": "d",
		"apiKey": "e",
		"SECRET_KEY_BASE": "f",
		"APP_NAME": "shop",
	}) == {
		["environment", "DB_PASSWORD"], ["environment", "JWT_SECRET"], ["environment", "GITHUB_TOKEN"],
		["environment", "AWS_SECRET_ACCESS_KEY"], ["environment", "apiKey"], ["environment", "SECRET_KEY_BASE"],
	}
	paths(["APP_NAME=shop", "DB_PASSWORD=a", "LOG_LEVEL=info", "JWT_SECRET=b"]) == {["environment", 1], ["environment", 3]}
}

test_names_that_are_not_credentials_pass if {
	count(findings({
		"MINIO_ROOT_USER": "minioadmin",
		"PASSWORD_MIN_LENGTH": "12",
		"TOKEN_TTL": "3600",
		"SECRET_NAME": "db-credentials",
		"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
		"PWD": "/app",
	})) == 0
}

# The recommended pattern: the image reads the credential from the file a secret mounts.
test_file_variables_pass if {
	count(findings(["MINIO_ROOT_USER_FILE=/run/secrets/minio_root_user", "MINIO_ROOT_PASSWORD_FILE=/run/secrets/minio_root_password"])) == 0
	count(findings({"POSTGRES_PASSWORD_FILE": "/run/secrets/db_password"})) == 0
}

# No value: Compose passes the variable through from the shell running `docker compose`.
test_entries_without_value_pass if {
	count(findings({"DB_PASSWORD": null})) == 0
	count(findings(["DB_PASSWORD"])) == 0
}

test_empty_values_pass if {
	count(findings({"DB_PASSWORD": ""})) == 0
	count(findings({"DB_PASSWORD": "  "})) == 0
	count(findings(["DB_PASSWORD="])) == 0
}

test_flag_values_pass if {
	count(findings({"MYSQL_ALLOW_EMPTY_PASSWORD": "yes"})) == 0
	count(findings({"MYSQL_RANDOM_ROOT_PASSWORD": true})) == 0
	count(findings({"MYSQL_RANDOM_ROOT_PASSWORD": 1})) == 0
	count(findings(["MYSQL_ALLOW_EMPTY_PASSWORD=yes", "REDIS_PASSWORD=false"])) == 0
}

# Compose turns a YAML number into its text: a numeric PIN is still a literal credential.
test_numbers_are_literal_values if {
	paths({"ADMIN_PASSWORD": 123456}) == {["environment", "ADMIN_PASSWORD"]}
	paths({"ADMIN_PASSWORD": 12.5}) == {["environment", "ADMIN_PASSWORD"]}
	count(findings({"ADMIN_PASSWORD": 0})) == 0
}

# After interpolation only an escaped `$${VAR}` is left as a reference: Compose passes the
# text `${VAR}` to the container, nothing literal.
test_references_left_after_interpolation_pass if {
	count(findings({"DB_PASSWORD": "${DB_PASSWORD}"})) == 0
	count(findings(["DB_PASSWORD=${DB_PASSWORD}"])) == 0
	count(findings({"DB_PASSWORD": "$(DB_PASSWORD)"})) == 0
}

# A value interpolated from `.env` (or a default) arrives literal, and is reported.
test_interpolated_values_are_reported if {
	paths({"POSTGRES_PASSWORD": "changeme"}) == {["environment", "POSTGRES_PASSWORD"]}
	paths({"DATABASE_URL": "x", "DB_PASSWORD": "prefix-${X}"}) == {["environment", "DB_PASSWORD"]}
}

# `KEY=value` splits at the first `=`: the value may hold more.
test_list_value_with_equals_sign if {
	paths(["DB_PASSWORD=a=b"]) == {["environment", 0]}
	count(findings(["OPTIONS=password=x"])) == 0
}

test_odd_environment_values_pass if {
	count(findings(null)) == 0
	count(findings("DB_PASSWORD=x")) == 0
	count(findings([42, {"DB_PASSWORD": "x"}, null])) == 0
	count(check.deny) == 0 with input as svc({"image": "postgres:16.4"})
}
