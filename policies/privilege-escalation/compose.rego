# METADATA
# description: |
#   a service whose `security_opt` does not set `no-new-privileges` to true. It is
#   true when the last entry about it is `no-new-privileges` alone, or `no-new-privileges:<b>`
#   or `no-new-privileges=<b>` with a value Docker reads as true (`true`, `1`, `t`, `True`,
#   `TRUE`). A last entry that sets it to false (`no-new-privileges:false`) or to a value Docker
#   rejects (`no-new-privileges:yes`) is reported at that entry; otherwise the finding points at
#   `security_opt` (or at the service, without one). A privileged service is reported even with
#   `no-new-privileges:true`, which does not confine it. A daemon-wide `no-new-privileges` in
#   `daemon.json` is not visible to rampart.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#security_opt
#     description: Compose specification, services (security_opt)
#   - ref: https://docs.docker.com/reference/cli/docker/container/run/#security-opt
#     description: Docker, docker container run --security-opt (no-new-privileges)
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, without `no-new-privileges` the kernel's `no_new_privs`
#     flag is not set, so a setuid binary or file capability in the image lets a compromised
#     process gain more privileges than the container was started with.
#   remediation: |
#     Add `no-new-privileges:true` to the service's `security_opt` (and remove any
#     `no-new-privileges:false`). A privileged service can escalate regardless: remove
#     `privileged: true` as well.
package rampart.checks.privilege_escalation.compose

import rego.v1

import data.rampart.lib.compose_security as cs

deny contains finding

# One finding per service: the first reason that applies, most direct first (each form below
# excludes the ones before it).
finding := {
	"msg": sprintf("service `%s` allows privilege escalation (security_opt: %s)", [input.name, opt]),
	"path": ["security_opt", i],
} if {
	i = nnp_index
	opt := input.service.security_opt[i]
	cs.no_new_privileges(opt) == "false"
}

# (The deciding entry has one setting, so this form never meets the first.)
finding := {
	"msg": sprintf("service `%s` allows privilege escalation: `%s` is not a boolean Docker accepts, so no-new-privileges is not set", [input.name, opt]),
	"path": ["security_opt", i],
} if {
	i = nnp_index
	opt := input.service.security_opt[i]
	cs.no_new_privileges(opt) == "invalid"
}

finding := {
	"msg": sprintf("service `%s` allows privilege escalation: it is privileged, so it holds every capability and host device and no-new-privileges does not confine it", [input.name]),
	"path": no_new_privileges_path,
	"related": [{"msg": "privileged here", "path": ["privileged"]}],
} if {
	# The key first: on the RVM a function is called even when its argument is undefined.
	input.service.privileged
	cs.is_true(input.service.privileged)
	not sets_no_new_privileges_false_or_invalid
}

# (The forms before need an entry that sets no-new-privileges.)
finding := {
	"msg": sprintf("service `%s` allows privilege escalation: security_opt has no `no-new-privileges:true`", [input.name]),
	"path": ["security_opt"],
} if {
	not nnp_index
	not cs.is_true(input.service.privileged)
}

# The entry that decides no-new-privileges sets it to false or to a value Docker rejects.
sets_no_new_privileges_false_or_invalid if {
	i = nnp_index
	cs.no_new_privileges(input.service.security_opt[i]) in {"false", "invalid"}
}

no_new_privileges_path := ["security_opt", nnp_index] if {
	nnp_index
}

no_new_privileges_path := ["security_opt"] if not nnp_index

# The index of the service's last no-new-privileges option: a rule, so that it is computed once
# per service, not in each of the definitions above (bound with `=`, which stops a body when
# it is undefined on the RVM too).
nnp_index := cs.no_new_privileges_index(input.service)
