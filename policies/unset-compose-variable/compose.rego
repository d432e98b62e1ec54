# METADATA
# description: |
#   an interpolation variable (`${PORT}`, `$PORT`) that has no value in the
#   project's `.env` file and no default (`${PORT:-8080}`). Compose warns (`The "PORT"
#   variable is not set. Defaulting to a blank string.`) and substitutes an empty string, so
#   the file still loads; a required variable (`${PORT:?message}`) that is not set stops
#   Compose and is reported by `invalid-compose` instead.
#
#   rampart reads variables from the `.env` file next to the Compose file only, never from the
#   environment it runs in, so that a result does not depend on the machine: a variable meant
#   to come from the shell or the CI environment is reported too. The value is unknown to the
#   other checks (an unknown port is never reported as unbound or conflicting).
# related_resources:
#   - ref: https://github.com/compose-spec/compose-spec/blob/main/12-interpolation.md
#     description: Compose specification, interpolation
#   - ref: https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/
#     description: "Docker docs: variable interpolation"
# custom:
#   targets: [compose-service, compose-project]
#   why: |
#     when the variable is not set where `docker compose up` runs, the value is
#     an empty string: a port mapping without its host port, an image without its tag (so
#     `latest`), an empty password. A default or an explicit requirement says what the file needs.
#   remediation: |
#     Give the variable a default (`${PORT:-8080}`) or a value in the project's `.env`, or make
#     it required with a message (`${PORT:?set PORT to the published port}`) so that Compose
#     stops instead of substituting an empty string.
package rampart.checks.unset_compose_variable.compose

import rego.v1

deny contains {"msg": p.msg, "path": p.path} if {
	some p in input.problems
	p.kind == "unset-variable"
}
