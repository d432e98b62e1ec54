package rampart.checks.hardcoded_secret.kubernetes_test

import rego.v1

import data.rampart.checks.hardcoded_secret.kubernetes as check

pod(env) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "p"},
	"spec": {"containers": [{"name": "api", "env": env}]},
}

reported(name, value) if {
	results := check.deny with input as pod([{"name": name, "value": value}])
	count(results) == 1
}

test_literal_password_is_reported if {
	results := check.deny with input as pod([
		{"name": "SPRING_PROFILES_ACTIVE", "value": "prod"},
		{"name": "DB_PASSWORD", "value": "hunter2"},
	])
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "env", 1, "value"]
	r.msg == "container `api` sets `DB_PASSWORD` to a literal value; take it from a Secret"
	not contains(r.msg, "hunter2")
}

test_credential_names_are_reported if {
	every name in [
		"PASSWORD", "db_password", "MYSQL_ROOT_PASSWORD", "REDIS_PASSWD", "DB_PASS", "MYSQL_PWD",
		"GPG_PASSPHRASE", "CLIENT_SECRET", "JWT_SECRET", "GITHUB_TOKEN", "auth-token",
		"API_KEY", "STRIPE_APIKEY", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY", "SSH_PRIVATE_KEY",
		"AUTH_KEY", "DJANGO_SECRET_KEY", "SECRET_KEY_BASE", "GOOGLE_CREDENTIALS", "DB_CREDENTIAL",
		"ENCRYPTION_KEY", "JWT_SIGNING_KEY", "dbPassword", "apiKey", "spring.datasource.password",
		"TOKEN_VALUE", "PRIVATE_KEY_B64", "PGPASSWORD",
	] {
		reported(name, "s3cr3t")
	}
}

test_setting_and_identifier_names_are_not_reported if {
	every name in [
		"PASSWORD_MIN_LENGTH", "TOKEN_TTL", "TOKEN_URL", "SECRET_NAME", "AWS_ACCESS_KEY_ID",
		"PASSWORD_FILE", "TOKEN_PATH", "SECRETS_DIR", "PASSWORD_POLICY", "PASSPORT_NUMBER",
		"BYPASS", "KEY", "CACHE_KEY", "TOKENIZER", "PWD", "SECRETARY", "CLIENT_ID", "USERNAME",
	] {
		not reported(name, "s3cr3t")
	}
}

test_file_path_names_with_path_values_are_not_reported if {
	not reported("DB_PASSWORD_FILE", "/run/secrets/db-password")
	not reported("SSL_KEY_PATH", "/etc/tls/tls.key")
	not reported("SECRETS_DIR", "/var/run/secrets")
}

test_value_from_is_not_reported if {
	results := check.deny with input as pod([{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}])
	count(results) == 0
}

test_empty_value_is_not_reported if {
	not reported("DB_PASSWORD", "")
	not reported("DB_PASSWORD", "  ")
}

test_variable_references_are_not_reported if {
	not reported("DB_PASSWORD", "$(MYSQL_ROOT_PASSWORD)")
	not reported("DB_PASSWORD", "${DB_PASSWORD}")
	not reported("TOKEN", "$(A)$(B)")
	reported("DB_PASSWORD", "x$(MYSQL_ROOT_PASSWORD)")
	reported("DATABASE_PASSWORD", "pre-${SUFFIX}")
}

test_flag_values_are_not_reported if {
	not reported("MYSQL_ALLOW_EMPTY_PASSWORD", "yes")
	not reported("MYSQL_RANDOM_ROOT_PASSWORD", "True")
	not reported("REQUIRE_TOKEN", "0")
	reported("MYSQL_ROOT_PASSWORD", "yes-really")
}

test_non_string_value_is_not_reported if {
	not reported("PIN_PASSWORD", 1234)
}

test_init_and_ephemeral_containers if {
	obj := {
		"apiVersion": "batch/v1",
		"kind": "Job",
		"metadata": {"name": "j"},
		"spec": {"template": {"spec": {
			"initContainers": [{"name": "init", "env": [{"name": "TOKEN", "value": "abc"}]}],
			"containers": [{"name": "app", "env": [{"name": "USER", "value": "app"}]}],
			"ephemeralContainers": [{"name": "debug", "env": [{"name": "X", "value": "1"}, {"name": "ADMIN_PASSWORD", "value": "admin"}]}],
		}}},
	}
	results := check.deny with input as obj
	{r.path | some r in results} == {
		["spec", "template", "spec", "initContainers", 0, "env", 0, "value"],
		["spec", "template", "spec", "ephemeralContainers", 0, "env", 1, "value"],
	}
}

test_non_workloads_are_ignored if {
	obj := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"DB_PASSWORD": "x"}}
	count(check.deny) == 0 with input as obj
}
