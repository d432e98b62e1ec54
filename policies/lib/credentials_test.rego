package rampart.lib.credentials_test

import rego.v1

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
	credentials.words("__AWS--secret.access_KEY") == ["AWS", "SECRET", "ACCESS", "KEY"]
	credentials.words("HTTPProxy") == ["HTTPPROXY"]
}

test_literal_values if {
	credentials.literal_value("minioadmin")
	credentials.literal_value("s3cr3t!")
	credentials.literal_value(" hunter2 ")
	credentials.literal_value("prefix-${VAR}")
	credentials.literal_value("12345")
	# A slash inside a password, or a path with a space, is still literal.
	credentials.literal_value("pa/ss")
	credentials.literal_value("/not a path")
	credentials.literal_value("vault: open sesame")
}

test_values_that_are_not_literal if {
	not credentials.literal_value("/run/secrets/db-password")
	not credentials.literal_value("./secrets/token.txt")
	not credentials.literal_value("~/.pgpass")
	not credentials.literal_value("file:///etc/app/key")
	not credentials.literal_value("vault:secret/data/db#password")
	not credentials.literal_value("ref+awssecrets://prod/db#/password")
	not credentials.literal_value("op://prod/db/password")
	not credentials.literal_value("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf")
	not credentials.literal_value("projects/shop/secrets/db/versions/latest")
	not credentials.literal_value("@Microsoft.KeyVault(SecretUri=https://v.vault.azure.net/secrets/db/)")
	not credentials.literal_value("{{ .Values.db.password }}")
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

# The word-by-word reading of SPEC's name rule, which the regex of credential_name must agree
# with on every sample name (and on names built from every listed word).
word_rule(name) if {
	is_string(name)
	upper(name) != "PWD"
	ws := credentials.words(name)
	some i, word in ws
	word_rule_at(ws, i, word)
}

word_rule_at(ws, i, word) if {
	word in credentials.credential_words
	qualifiers_only(ws, i + 1)
}

word_rule_at(ws, i, word) if {
	word in credentials.key_words
	ws[i + 1] == "KEY"
	qualifiers_only(ws, i + 2)
}

qualifiers_only(ws, from) if {
	every word in array.slice(ws, from, count(ws)) {
		word in credentials.qualifiers
	}
}

regex_says(name) := true if credentials.credential_name(name) else := false

words_say(name) := true if word_rule(name) else := false

generated_names contains name if {
	some word in array.concat(array.concat(credentials.credential_words, credentials.key_words), credentials.qualifiers)
	some affix in ["", "MY_", "X-", "my.", "a__"]
	some suffix in ["", "_KEY", "_KEY_VALUE", "_ID", "_FILE", "Key", "_b64", "__", "-"]
	name := concat("", [affix, word, suffix])
}

test_regex_agrees_with_the_word_rule if {
	every name in array.concat(credential_names, other_names) {
		regex_says(name) == words_say(name)
	}
	every name in generated_names {
		regex_says(name) == words_say(name)
	}
	count(generated_names) > 1000
}
