# METADATA
# description: |
#   An `env` entry (regular, init and ephemeral containers) whose name says it holds a
#   credential and that sets a literal, non-empty `value`.
#
#   The name is split into words at `_`, `-`, `.` and lower-to-upper case changes
#   (`dbPassword` is `DB PASSWORD`), case-insensitively. It names a credential when a
#   credential word is its last word, or is followed only by qualifiers (`KEY`, `KEYS`,
#   `VALUE`, `STRING`, `BASE`, `BASE64`, `B64`, `RAW`, `PLAIN`, `PLAINTEXT`). Credential
#   words: `PASSWORD`, `PASSWD`, `PASS`, `PWD` (but not the name `PWD` alone, the working
#   directory), `PASSPHRASE`, `PGPASSWORD`, `SECRET`, `TOKEN`, `CREDENTIAL`,
#   `CREDENTIALS`, `APIKEY`, `ACCESSKEY`, `PRIVATEKEY`, `AUTHKEY`, and the pairs
#   `API KEY`, `ACCESS KEY`, `PRIVATE KEY`, `AUTH KEY`, `ENCRYPTION KEY`, `SIGNING KEY`.
#   So `DB_PASSWORD`, `CLIENT_SECRET`, `AWS_SECRET_ACCESS_KEY`, `SECRET_KEY_BASE` and
#   `GITHUB_TOKEN` are reported, while `PASSWORD_MIN_LENGTH`, `TOKEN_TTL`, `SECRET_NAME`,
#   `AWS_ACCESS_KEY_ID`, `PASSWORD_FILE`, `TOKEN_PATH` and `SECRETS_DIR` are not: what
#   follows the credential word says the value is something else (a setting, an
#   identifier, a file).
#
#   Not reported: `valueFrom` (a Secret or ConfigMap reference), an empty value, a flag
#   value (`true`, `false`, `yes`, `no`, `on`, `off`, `0`, `1`:
#   `MYSQL_ALLOW_EMPTY_PASSWORD: "yes"` is a setting), and a value made only of variable
#   references: `$(DB_PASSWORD)`, which Kubernetes expands from another variable, or
#   `${DB_PASSWORD}`, a placeholder that a deploy step substitutes; a file path that holds the
#   credential (`/run/secrets/db-password`, `./secrets/token`, `~/.pgpass`, `file://...`:
#   one word starting with `/`, `./`, `../`, `~/`); and an obvious secret-store reference or
#   template placeholder (`vault:...`, `ref+vault://...`, `op://...`,
#   `arn:aws:secretsmanager:...`, `projects/<p>/secrets/<s>`, `@Microsoft.KeyVault(...)`,
#   `{{ ... }}`). The value is never printed.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables
#     description: "Secrets: using Secrets as environment variables"
#   - ref: https://kubernetes.io/docs/concepts/security/secrets-good-practices/
#     description: "Good practices for Kubernetes Secrets"
#   - ref: https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html
#     description: "OWASP Secrets Management Cheat Sheet"
# custom:
#   targets: [workload]
#   why: |
#     a credential in a manifest is in every clone of the repository, in its
#     history, in CI logs and in the object anyone with read access to the workload can get;
#     it cannot be rotated without a commit, and it is not encrypted at rest like a Secret
#     can be.
#   remediation: |
#     Move the value into a Secret (created out of band, or by an external secrets operator
#     or sealed-secrets) and reference it with
#     `valueFrom: {secretKeyRef: {name: <secret>, key: <key>}}`, or mount the Secret as a
#     file. Rotate the credential: it has been committed.
package rampart.checks.hardcoded_secret.kubernetes

import rego.v1

import data.rampart.lib.credentials
import data.rampart.lib.kubernetes.containers

deny contains {"msg": msg, "path": array.concat(c.path, ["env", i, "value"])} if {
	some c in containers
	# The API server rejects an `env` that is not a list; nothing to read in it.
	is_array(c.container.env)
	some i, entry in c.container.env
	not entry.valueFrom
	credentials.credential_name(entry.name)
	credentials.literal_value(entry.value)
	msg := sprintf("container `%s` sets `%s` to a literal value; take it from a Secret", [c.name, entry.name])
}
