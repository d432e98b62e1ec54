# METADATA
# description: |
#   an `environment` entry, in map form (`DB_PASSWORD: value`) or list form
#   (`- DB_PASSWORD=value`), whose name says it holds a credential, by the same name rules as
#   for Kubernetes (`MINIO_ROOT_PASSWORD`, `POSTGRES_PASSWORD`, `JWT_SECRET`, `API_KEY` are
#   credential names; `MINIO_ROOT_USER`, `PASSWORD_FILE`, `MINIO_ROOT_PASSWORD_FILE` are not),
#   and whose value is literal and non-empty. A number counts as its text (`PIN: 1234`).
#
#   Values are read after interpolation: `POSTGRES_PASSWORD: ${DB_PASSWORD}` is reported when
#   `DB_PASSWORD` gets a value from the `.env` file or a default (`${DB_PASSWORD:-changeme}`),
#   because that value is in the project's files all the same. Not reported: an entry with no
#   value (`DB_PASSWORD:` or `- DB_PASSWORD`, passed through from the shell), an empty value, a
#   flag value (`true`, `false`, `yes`, `no`, `on`, `off`, `0`, `1`:
#   `MYSQL_ALLOW_EMPTY_PASSWORD: "yes"` is a setting), a value made only of variable
#   references (`$${TOKEN}`, which Compose passes on as `${TOKEN}`), and the `*_FILE` variables
#   that name a file holding the credential (`MINIO_ROOT_PASSWORD_FILE=/run/secrets/...`).
#   As for Kubernetes, a value that is a file path (`DATABASE_PASSWORD=/run/secrets/db`) or
#   an obvious secret-store reference or placeholder (`vault:...`, `op://...`, `{{ ... }}`) is
#   not a secret.
#   `env_file` files are not read. The value is never printed.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#environment
#     description: Compose specification, services (environment)
#   - ref: https://docs.docker.com/compose/how-tos/use-secrets/
#     description: "Manage secrets securely in Docker Compose"
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, a credential in a compose file or its `.env` is in every
#     clone of the repository and in its history, and `docker inspect` shows it to anyone with
#     access to the Docker daemon; it cannot be rotated without a commit.
#   remediation: |
#     Use a Compose secret: declare it in the top-level `secrets:` (`file:` outside the
#     repository, or `environment:` taken from the shell), grant it to the service with
#     `secrets:`, and point the image at `/run/secrets/<name>`, usually through its `*_FILE`
#     variable (`MINIO_ROOT_PASSWORD_FILE`, `POSTGRES_PASSWORD_FILE`). Otherwise pass the
#     variable through from the shell (`- DB_PASSWORD` with no value). Keep `.env` files with
#     real values out of the repository, and rotate the credential: it has been committed.
package rampart.checks.hardcoded_secret.compose

import rego.v1

import data.rampart.lib.credentials

# Map form: `KEY: value`; the finding points at the entry.
deny contains {"msg": message(name), "path": ["environment", name]} if {
	is_object(input.service.environment)
	some name, value in input.service.environment
	credentials.credential_name(name)
	credentials.literal_value(text(value))
}

# List form: `- KEY=value`; the finding points at the item.
deny contains {"msg": message(name), "path": ["environment", i]} if {
	is_array(input.service.environment)
	some i, item in input.service.environment
	is_string(item)
	contains(item, "=")
	name := substring(item, 0, indexof(item, "="))
	credentials.credential_name(name)
	credentials.literal_value(substring(item, indexof(item, "=") + 1, -1))
}

message(name) := sprintf("service `%s` sets `%s` to a literal value in `environment`; take it from a secret", [input.name, name])

# Compose turns numbers and booleans into their text; null (no value) stays undefined.
text(value) := value if is_string(value)

text(value) := format_int(value, 10) if {
	is_number(value)
	value == floor(value)
}

text(value) := sprintf("%v", [value]) if {
	is_number(value)
	value != floor(value)
}

text(value) := sprintf("%v", [value]) if is_boolean(value)
