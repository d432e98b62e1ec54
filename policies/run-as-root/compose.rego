# METADATA
# description: |
#   a service whose `user` is not set (or is empty), so that it runs as the image's
#   user, which is root unless the image sets `USER`; or whose `user` names root: `root`, `0`, or
#   a `uid:gid` pair whose user part is `root`, `0` or empty (`0:0`, `root:staff`, `:1000`; an
#   empty user part falls back to uid 0). `user` may be a string or an integer. A non-zero uid
#   with group 0 (`1000:0`) is not root. A name other than `root` is not resolved against the
#   image's `/etc/passwd`.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#user
#     description: Compose specification, services (user)
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, a process running as root in the container is one kernel
#     or runtime bug away from root on the host; without `user` the image decides, and most images
#     do not set a non-root `USER`.
#   remediation: |
#     Set `user` to a non-root uid and gid, e.g. `user: "1000:1000"` (quoted, so YAML keeps it a
#     string), that owns what the process must write, and build the image with a matching
#     non-root `USER`.
package rampart.checks.run_as_root.compose

import rego.v1

deny contains {"msg": message, "path": ["user"]}

# At most one finding per service. (The three conditions exclude each other: a root user is a
# number or a non-empty string; an empty or root user is set.)
message := sprintf("service `%s` runs as root (user: %v)", [input.name, input.service.user]) if {
	is_root(input.service.user)
}

message := sprintf("service `%s` may run as root: `user` is empty, so it runs as the image's user", [input.name]) if {
	input.service.user == ""
	not is_root(input.service.user)
}

message := sprintf("service `%s` may run as root: `user` is not set, so it runs as the image's user", [input.name]) if {
	not has_user
}

has_user if input.service.user != null

is_root(user) if {
	is_number(user)
	user == 0
}

# The user part is what comes before the first `:`. Docker resolves a numeric user part with Go's
# `strconv.Atoi` (so `00` and `+0` are uid 0, too) and an empty one to the default uid 0.
is_root(user) if {
	is_string(user)
	contains(user, ":")
	uid := substring(user, 0, indexof(user, ":"))
	root_uid(uid)
}

is_root(user) if {
	is_string(user)
	not contains(user, ":")
	root_name(user)
}

root_uid(uid) if uid == ""

root_uid(uid) if root_name(uid)

root_name(name) if name == "root"

# `^\+?0+$` without a regular expression (on the RVM a regex match clones the compiled pattern
# on every call, ~28k instructions): one optional `+`, then only zeros, at least one.
root_name(name) if {
	digits := trim_prefix(name, "+")
	digits != ""
	trim_left(digits, "0") == ""
}
