# Helpers for environment variables that hold credentials, shared by the Kubernetes and Compose
# sides of hardcoded-secret: which names say "credential", and which values are not literal.
package rampart.lib.credentials

import rego.v1

# A name that says it holds a credential. The name is split into words at `_`, `-`, `.` and
# lower-to-upper case changes (`dbPassword` is `DB PASSWORD`), case-insensitively. It names a
# credential when a credential word is its last word, or is followed only by qualifiers
# (`KEY`, `VALUE`, `BASE64` ...), or when one of `key_words` is followed by `KEY` (`API_KEY`).
# `PASSWORD_FILE`, `TOKEN_TTL`, `SECRET_NAME` and `AWS_ACCESS_KEY_ID` are not credential
# names: what follows the credential word says the value is something else. The name `PWD`
# alone is the working directory.
#
# The words are matched by one regex over the normalized name (words joined by `_`) rather than
# by a rule per word: regorus spends about as much on one function call as on a regex match, and
# this runs for every environment variable of every container. credentials_test.rego checks the
# regex against the word-by-word reading on every sample name.
# rampart decides this once per name in Rust (`data.rampart.facts.credential_names`, the same
# word lists and pattern); the pattern match here cost ~28k instructions a name on the RVM.
credential_name(name) if data.rampart.facts.credential_names[name] == true

credential_name(name) if {
	not is_boolean(data.rampart.facts.credential_names[name])
	computed_credential_name(name)
}

computed_credential_name(name) if {
	is_string(name)
	upper(name) != "PWD"
	may_name_credential(upper(name))
	regex.match(credential_pattern, normalized(name))
}

# Every credential word, and `KEY`, holds one of these: a name without any cannot match
# `credential_pattern`, and is decided without its three regex calls (each costs a lazy DFA
# on the RVM). Normalizing only inserts `_` between ASCII letters and digits or replaces other
# characters, so a word of the normalized name is in the upper-cased name too.
may_name_credential(name) if {
	some hint in ["PASS", "PWD", "SECRET", "TOKEN", "CREDENTIAL", "KEY"]
	contains(name, hint)
}

credential_pattern := concat("", [
	`(?:^|_)(?:`, concat("|", credential_words), `|(?:`, concat("|", key_words), `)_KEY)`,
	`(?:_(?:`, concat("|", qualifiers), `))*_?$`,
])

credential_words := [
	"PASSWORD", "PASSWD", "PASS", "PWD", "PASSPHRASE", "SECRET", "TOKEN",
	"CREDENTIAL", "CREDENTIALS", "PGPASSWORD", "APIKEY", "ACCESSKEY", "PRIVATEKEY", "AUTHKEY",
]

# Words that form a credential with a following KEY.
key_words := ["API", "ACCESS", "PRIVATE", "AUTH", "ENCRYPTION", "SIGNING"]

# Words that may follow a credential word and keep it one.
qualifiers := ["KEY", "KEYS", "VALUE", "STRING", "BASE", "BASE64", "B64", "RAW", "PLAIN", "PLAINTEXT"]

# The name upper-cased, with `_` between words: at every lower-to-upper case change
# (`dbPassword` is `DB_PASSWORD`) and for every run of other characters (`-`, `.`, `__`).
# On the RVM rampart computes it once per name in Rust and gives it at
# `data.rampart.facts.env_names` (src/policy/facts.rs; a test holds both alike): the two regex
# replacements cost a fresh lazy DFA each.
normalized(name) := data.rampart.facts.env_names[name]

normalized(name) := computed_normalized(name) if not data.rampart.facts.env_names[name]

computed_normalized(name) := upper(regex.replace(regex.replace(name, `([a-z0-9])([A-Z])`, "${1}_${2}"), `[^A-Za-z0-9]+`, "_"))

# `dbPassword` and `DB_PASSWORD` both give ["DB", "PASSWORD"].
words(name) := [word |
	some word in split(normalized(name), "_")
	word != ""
]

# A value that could be a credential written out: a non-empty string that is not a flag
# (`true`, `false`, `yes`, `no`, `on`, `off`, `0`, `1`, e.g. `MYSQL_ALLOW_EMPTY_PASSWORD: "yes"`)
# and not made only of variable references (`$(VAR)`, `${VAR}`).
#
# Each regex below runs only on a value that can match it (what its pattern starts with or must
# contain): a regex call builds a fresh lazy DFA on the RVM, about ten builtin calls' worth, and
# a plain literal like `hunter2` now takes none.
literal_value(value) if {
	is_string(value)
	text := trim_space(value)
	text != ""
	not lower(text) in flags
	not only_references(text)
	not file_path(text)
	not store_reference(text)
}

# Values that switch a setting rather than hold a credential.
flags := {"true", "false", "yes", "no", "on", "off", "0", "1"}

# The (trimmed) value is only `$(VAR)` or `${VAR}` references: nothing literal to leak.
only_references(text) if {
	startswith(text, "$")
	regex.match(`^(\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[A-Za-z_][A-Za-z0-9_]*\})+$`, text)
}

# The (trimmed) value names a file that holds the credential (`/run/secrets/db-password`,
# `./secrets/token`, `~/.pgpass`, `file:///etc/app/key`): a path, not the secret.
file_path(text) if {
	substring(text, 0, 1) in {"/", ".", "~", "f"}
	regex.match(`^(/|\./|\.\./|~/|file://)[^\s]*$`, text)
}

# The (trimmed) value is a reference into a secret store or a template placeholder, resolved at
# deploy time: `vault:secret/data/db#password`, `ref+vault://...`, `op://vault/item/field`,
# `arn:aws:secretsmanager:...`, `projects/p/secrets/s/versions/1`,
# `@Microsoft.KeyVault(SecretUri=...)`, `{{ .Values.password }}`.
store_reference(text) if {
	may_reference_store(text)
	regex.match(store_reference_pattern, text)
}

# What every form of `store_reference_pattern` holds: a `:` (the store prefixes, `ref+`,
# `arn:`), `/secrets/`, a leading `@` or a leading `{{`.
may_reference_store(text) if contains(text, ":")

may_reference_store(text) if contains(text, "/secrets/")

may_reference_store(text) if startswith(text, "@")

may_reference_store(text) if startswith(text, "{{")

store_reference_pattern := concat("|", [
	`^(vault|awssm|awskms|gcpsm|gcpkms|azurekv|sops|doppler|op|bw|infisical|k8s|secretsmanager|ssm|akv):[^\s]*$`,
	`^ref\+[a-z0-9]+://[^\s]*$`,
	`^arn:aws[a-z-]*:(secretsmanager|ssm|kms):[^\s]*$`,
	`^projects/[^/\s]+/secrets/[^\s]+$`,
	`^@Microsoft\.KeyVault\(.*\)$`,
	`^\{\{.*\}\}$`,
])
