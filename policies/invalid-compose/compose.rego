# METADATA
# description: |
#   A Compose file that `docker compose` would refuse to load or would load differently than
#   written: a service key the Compose specification does not know (`imagee`, `port`), a value
#   of the wrong type (`ports: "8080:80"`, `user: 1000`, `environment: 42`), a value outside
#   its enumeration, a missing required key (`depends_on.db` without `condition`), a port that
#   does not parse, an `extends` that cannot be resolved, files that cannot be merged, and a
#   required variable (`${TAG:?message}`) with no value in the project's `.env`. Unknown
#   top-level keys (other than `x-*`) and services that are not mappings are reported
#   against the project. A variable with no value and no default (`${PORT}`), which Compose
#   only warns about, is reported by `unset-compose-variable` instead.
#
#   rampart reads variables from the `.env` file next to the Compose file only, never from the
#   environment it runs in, so that a result does not depend on the machine; a variable
#   without a value makes the value unknown (an unknown port is never reported as unbound or
#   conflicting).
# related_resources:
#   - ref: https://github.com/compose-spec/compose-spec/blob/main/spec.md
#     description: The Compose specification
#   - ref: https://github.com/compose-spec/compose-spec/blob/main/schema/compose-spec.json
#     description: The Compose specification's JSON schema
#   - ref: https://github.com/compose-spec/compose-spec/blob/main/12-interpolation.md
#     description: Interpolation
# custom:
#   targets: [compose-service, compose-project]
#   why: |
#     an unknown key is silently ignored by older Compose versions and rejected
#     by newer ones, so the setting you meant (a typo in `read_only`, `mem_limit`) is never
#     applied; a variable that is not set becomes an empty string at `docker compose up`.
#   remediation: |
#     Fix the key or the value as the message says (`docker compose config` shows how Compose
#     reads the file). Give a required variable (`${TAG:?set TAG in .env}`) a value in `.env`.
package rampart.checks.invalid_compose.compose

import rego.v1

deny contains {"msg": p.msg, "path": p.path} if {
	some p in input.problems
	p.kind != "unset-variable"
}
