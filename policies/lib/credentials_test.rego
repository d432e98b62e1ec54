package rampart.lib.credentials_test

import rego.v1

import data.rampart.checks.hardcoded_secret.kubernetes as k8s_check
import data.rampart.lib.credentials

credential_names := [
	"PASSWORD", "DB_PASSWORD", "dbPassword", "db-password", "db.password", "POSTGRES_PASSWORD",
	"MINIO_ROOT_PASSWORD", "MYSQL_ROOT_PASSWORD", "REDIS_PASS", "SMTP_PASSWD", "PGPASSWORD",
	"GPG_PASSPHRASE", "CLIENT_SECRET", "JWT_SECRET", "SECRET", "GITHUB_TOKEN", "authToken",
	"API_KEY", "apiKey", "STRIPE_APIKEY", "AWS_SECRET_ACCESS_KEY", "ACCESS_KEY", "PRIVATE_KEY",
	"SSH_PRIVATE_KEY", "AUTH_KEY", "ENCRYPTION_KEY", "SIGNING_KEY", "SECRET_KEY_BASE",
	"SECRET_KEY", "TOKEN_VALUE", "PASSWORD_B64", "GCP_CREDENTIALS", "DB_CREDENTIAL",
	"MY_PWD", "MYSQL_ALLOW_EMPTY_PASSWORD",
]

other_names := [
	"PWD", "pwd", "PASSWORD_FILE", "MINIO_ROOT_PASSWORD_FILE", "MINIO_ROOT_USER",
	"POSTGRES_USER", "PASSWORD_MIN_LENGTH", "TOKEN_TTL", "TOKEN_PATH", "SECRET_NAME",
	"SECRETS_DIR", "AWS_ACCESS_KEY_ID", "KEY", "API_URL", "SPARK_RPC_AUTHENTICATION_ENABLED",
	"SPARK_MODE", "PASSAGE", "COMPASS", "TOKENIZER", "HOME", "PATH",
	"", "___",
]

test_credential_names if {
	every name in credential_names {
		credentials.credential_name(name)
	}
}

test_other_names if {
	every name in other_names {
		not credentials.credential_name(name)
	}
	not credentials.credential_name(null)
	not credentials.credential_name(7)
}

test_words if {
	credentials.words("dbPassword") == ["DB", "PASSWORD"]
	credentials.words("DB_PASSWORD") == ["DB", "PASSWORD"]
	credentials.words("aws.secret-access_key") == ["AWS", "SECRET", "ACCESS", "KEY"]
	credentials.words("__x__") == ["X"]
}

test_literal_values if {
	credentials.literal_value("minioadmin")
	credentials.literal_value("s3cr3t!")
	credentials.literal_value(" hunter2 ")
	credentials.literal_value("prefix-${VAR}")
	credentials.literal_value("12345")
}

test_values_that_are_not_literal if {
	not credentials.literal_value("")
	not credentials.literal_value("   ")
	not credentials.literal_value("yes")
	not credentials.literal_value("TRUE")
	not credentials.literal_value("0")
	not credentials.literal_value("${DB_PASSWORD}")
	not credentials.literal_value("$(DB_PASSWORD)")
	not credentials.literal_value("${A}${B}")
	not credentials.literal_value(null)
	not credentials.literal_value(12345)
}

# The Kubernetes side of hardcoded-secret has its own copy of the name rules: both agree.
test_same_names_as_the_kubernetes_check if {
	every name in array.concat(credential_names, other_names) {
		k8s_says(name) == lib_says(name)
	}
}

k8s_says(name) := true if k8s_check.credential_name(name) else := false

lib_says(name) := true if credentials.credential_name(name) else := false

test_same_values_as_the_kubernetes_check if {
	k8s_check.flags == credentials.flags
	every v in ["${X}", "$(X)", "${X}$(Y)", "a${X}", "$X", "${1X}", " ${X} "] {
		k8s_ref(v) == lib_ref(v)
	}
}

k8s_ref(v) := true if k8s_check.only_references(v) else := false

lib_ref(v) := true if credentials.only_references(v) else := false
