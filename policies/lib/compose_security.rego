# Helpers for the security settings of a Compose service (`input.service`): Compose booleans,
# Linux capability names and the `security_opt` list, read the way Docker Compose and the Docker
# daemon read them. Kubernetes has its own helpers in `security_context.rego`.
package rampart.lib.compose_security

import rego.v1

# A Compose boolean that is true: YAML `true`, or a string that Compose casts to `true`
# (compose-go's `toBoolean`: `true`, `yes`, `y`, `on`, in any case). A service may hold strings
# where booleans are expected, e.g. after `${VAR}` interpolation.
is_true(value) if value == true

is_true(value) if {
	is_string(value)
	lower(value) in {"true", "yes", "y", "on"}
}

# A capability name without case and without its optional `CAP_` prefix, as the Docker daemon
# reads `cap_add` and `cap_drop` (it lower-cases each name and prepends `cap_` when missing):
# `CAP_SYS_ADMIN`, `SYS_ADMIN` and `sys_admin` all name SYS_ADMIN.
normalize_capability(cap) := trim_prefix(upper(cap), "CAP_") if is_string(cap)

# `ALL` in `cap_add` or `cap_drop` means every capability, in any case (not `CAP_ALL`, which the
# daemon rejects as an unknown capability).
is_all(cap) if {
	is_string(cap)
	upper(cap) == "ALL"
}

# The `no-new-privileges` setting of one `security_opt` entry, as the Docker daemon parses it:
# "true", "false", or "invalid" (a value `strconv.ParseBool` rejects, so the daemon refuses to
# create the container); undefined for an entry about something else (`seccomp:...`, `label=...`).
# A bare `no-new-privileges` means true; otherwise the key and value are split at the first `=`,
# or, when there is none, at the first `:` (the older separator). The key is case-sensitive and
# nothing is trimmed, as in the daemon.
no_new_privileges(opt) := "true" if opt == "no-new-privileges"

# (A bare `no-new-privileges` has no separator, so split_option is undefined for it.)
no_new_privileges(opt) := parse_bool(value) if {
	opt != "no-new-privileges"
	[key, value] := split_option(opt)
	key == "no-new-privileges"
}

# An option split at its first `=`, or at its first `:` when it has no `=`.
split_option(opt) := [substring(opt, 0, i), substring(opt, i + 1, -1)] if {
	is_string(opt)
	i := indexof(opt, "=")
	i >= 0
}

split_option(opt) := [substring(opt, 0, i), substring(opt, i + 1, -1)] if {
	is_string(opt)
	indexof(opt, "=") < 0
	i := indexof(opt, ":")
	i >= 0
}

# Go's strconv.ParseBool.
parse_bool(value) := "true" if value in parse_bool_true

parse_bool(value) := "false" if value in parse_bool_false

parse_bool(value) := "invalid" if {
	not value in parse_bool_true
	not value in parse_bool_false
}

# The spellings strconv.ParseBool reads as true, and as false (no spelling is in both).
parse_bool_true := {"1", "t", "T", "true", "TRUE", "True"}

parse_bool_false := {"0", "f", "F", "false", "FALSE", "False"}

# The index of the `security_opt` entry that decides `no-new-privileges`: the last one that sets
# it (the daemon applies the entries in order). Undefined when no entry sets it.
no_new_privileges_index(service) := max(indices) if {
	is_array(service.security_opt)
	indices := {i | some i, opt in service.security_opt; no_new_privileges(opt)}
	count(indices) > 0
}
