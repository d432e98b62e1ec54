# Helpers for the container-only fields of a securityContext (`privileged`,
# `allowPrivilegeEscalation`, `readOnlyRootFilesystem`, `capabilities`). The PodSecurityContext has
# none of these fields, so the pod never supplies a default for them: read them from the container
# only, never through `kubernetes.effective_security`.
package rampart.lib.security_context

import rego.v1

import data.rampart.lib.kubernetes.pod_spec

# A capability name without case and without its optional `CAP_` prefix, as CRI-O reads it
# (`CAP_SYS_ADMIN`, `SYS_ADMIN` and `sys_admin` all name SYS_ADMIN). containerd upper-cases and
# always prepends `CAP_`; reading every spelling as the capability it names catches both.
normalize_capability(cap) := trim_prefix(upper(cap), "CAP_") if is_string(cap)

# `ALL` in `add` or `drop` means every capability (matched case-insensitively, like the runtimes).
is_all(cap) if upper(cap) == "ALL"

# Indices of the `capabilities.add` items through which the container holds capability `cap`
# (a normalised name such as "SYS_ADMIN"). The runtimes apply `add: [ALL]`, then `drop: [ALL]`,
# then the individual adds, then the individual drops, so a capability added by name survives
# `drop: [ALL]` but not a drop by name, and `add: [ALL]` is undone by either.
granting_adds(container, cap) := {i |
	caps := container.securityContext.capabilities
	is_array(caps.add)
	some i, added in caps.add
	grants(caps, added, cap)
}

grants(caps, added, cap) if {
	normalize_capability(added) == cap
	not drops(caps, cap)
}

grants(caps, added, cap) if {
	is_all(added)
	not drops_all(caps)
	not drops(caps, cap)
}

drops(caps, cap) if {
	is_array(caps.drop)
	some dropped in caps.drop
	normalize_capability(dropped) == cap
}

drops_all(caps) if {
	is_array(caps.drop)
	some dropped in caps.drop
	is_all(dropped)
}

# Windows pods cannot set allowPrivilegeEscalation, readOnlyRootFilesystem or capabilities: the
# API server rejects them when `spec.os.name` is `windows`.
is_windows if pod_spec.os.name == "windows"
