package rampart.checks.privilege_escalation.compose_test

import rego.v1

import data.rampart.checks.privilege_escalation.compose as check

svc(service) := {
	"name": "web",
	"service": service,
	"ports": [],
	"project": {"name": "shop", "services": {"web": {"service": service, "ports": []}}},
	"problems": [],
}

finding(service) := r if {
	results := check.deny with input as svc(service)
	count(results) == 1
	some r in results
}

passes(service) if {
	count(check.deny) == 0 with input as svc(service)
}

test_no_security_opt_is_reported_at_the_service if {
	r := finding({"image": "nginx:1.27"})
	r.path == ["security_opt"]
	r.msg == "service `web` allows privilege escalation: security_opt has no `no-new-privileges:true`"
	not r.related
}

test_security_opt_without_no_new_privileges_is_reported_at_the_list if {
	r := finding({"security_opt": ["seccomp:unconfined", "apparmor:docker-default"]})
	r.path == ["security_opt"]
	r.msg == "service `web` allows privilege escalation: security_opt has no `no-new-privileges:true`"
}

test_empty_or_null_security_opt_is_reported if {
	finding({"security_opt": []}).path == ["security_opt"]
	finding({"security_opt": null}).path == ["security_opt"]
}

# Every spelling the Docker daemon reads as true.
test_true_spellings_pass if {
	every opt in [
		"no-new-privileges",
		"no-new-privileges:true",
		"no-new-privileges=true",
		"no-new-privileges:1",
		"no-new-privileges=1",
		"no-new-privileges:t",
		"no-new-privileges=T",
		"no-new-privileges:True",
		"no-new-privileges=TRUE",
	] {
		passes({"security_opt": [opt]})
	}
}

test_true_among_other_options_passes if {
	passes({"security_opt": ["seccomp:unconfined", "no-new-privileges:true", "label:disable"]})
}

test_false_is_reported_at_the_entry if {
	r := finding({"security_opt": ["seccomp:unconfined", "no-new-privileges:false"]})
	r.path == ["security_opt", 1]
	r.msg == "service `web` allows privilege escalation (security_opt: no-new-privileges:false)"
}

test_false_spellings_are_reported if {
	every opt in ["no-new-privileges=false", "no-new-privileges:0", "no-new-privileges=F", "no-new-privileges:FALSE"] {
		r := finding({"security_opt": [opt]})
		r.path == ["security_opt", 0]
		r.msg == sprintf("service `web` allows privilege escalation (security_opt: %s)", [opt])
	}
}

# strconv.ParseBool rejects these: the daemon refuses to create the container.
test_invalid_values_are_reported_at_the_entry if {
	every opt in ["no-new-privileges:yes", "no-new-privileges=on", "no-new-privileges: true", "no-new-privileges="] {
		r := finding({"security_opt": [opt]})
		r.path == ["security_opt", 0]
		r.msg == sprintf("service `web` allows privilege escalation: `%s` is not a boolean Docker accepts, so no-new-privileges is not set", [opt])
	}
}

# The daemon applies the entries in order: the last one wins.
test_the_last_entry_wins if {
	passes({"security_opt": ["no-new-privileges:false", "no-new-privileges:true"]})
	r := finding({"security_opt": ["no-new-privileges:true", "seccomp:unconfined", "no-new-privileges=false"]})
	r.path == ["security_opt", 2]
}

# The key is case-sensitive and not trimmed; a near miss does not count.
test_misspelled_keys_do_not_count if {
	every opt in ["No-New-Privileges:true", "no-new-privilege:true", "no_new_privileges:true", " no-new-privileges", "no-new-privileges "] {
		r := finding({"security_opt": [opt]})
		r.path == ["security_opt"]
	}
}

# A map or a single string is not a security_opt list (invalid-compose reports it).
test_security_opt_of_the_wrong_type_counts_as_missing if {
	finding({"security_opt": "no-new-privileges:true"}).path == ["security_opt"]
	finding({"security_opt": {"no-new-privileges": true}}).path == ["security_opt"]
}

test_privileged_is_reported_even_with_no_new_privileges if {
	r := finding({"privileged": true, "security_opt": ["seccomp:unconfined", "no-new-privileges:true"]})
	r.path == ["security_opt", 1]
	r.msg == "service `web` allows privilege escalation: it is privileged, so it holds every capability and host device and no-new-privileges does not confine it"
	r.related == [{"msg": "privileged here", "path": ["privileged"]}]
}

test_privileged_without_security_opt_points_at_security_opt if {
	r := finding({"privileged": "yes"})
	r.path == ["security_opt"]
	r.related == [{"msg": "privileged here", "path": ["privileged"]}]
}

# An explicit `no-new-privileges:false` is the more direct reason.
test_explicit_false_wins_over_privileged if {
	r := finding({"privileged": true, "security_opt": ["no-new-privileges:false"]})
	r.path == ["security_opt", 0]
	r.msg == "service `web` allows privilege escalation (security_opt: no-new-privileges:false)"
	not r.related
}

test_privileged_false_does_not_matter if {
	passes({"privileged": false, "security_opt": ["no-new-privileges:true"]})
	passes({"privileged": "false", "security_opt": ["no-new-privileges"]})
}

# Unlike Kubernetes, Docker sets no_new_privs even with CAP_SYS_ADMIN; dangerous-capabilities
# reports the capability.
test_sys_admin_is_not_this_checks_business if {
	passes({"cap_add": ["SYS_ADMIN"], "security_opt": ["no-new-privileges:true"]})
}

test_message_names_the_service if {
	inp := object.union(svc({}), {"name": "worker"})
	results := check.deny with input as inp
	some r in results
	r.msg == "service `worker` allows privilege escalation: security_opt has no `no-new-privileges:true`"
}

# A value Docker rejects is a more direct reason than privileged, too; privileged with a last
# entry that sets true (after a false one) points at that entry, and a security_opt that is not a
# list counts as none.
test_privileged_beside_other_settings if {
	r := finding({"privileged": "on", "security_opt": ["no-new-privileges:true", "no-new-privileges:yes"]})
	r.path == ["security_opt", 1]
	r.msg == "service `web` allows privilege escalation: `no-new-privileges:yes` is not a boolean Docker accepts, so no-new-privileges is not set"
	not r.related
	p := finding({"privileged": true, "security_opt": ["no-new-privileges:false", "no-new-privileges=1"]})
	p.path == ["security_opt", 1]
	p.related == [{"msg": "privileged here", "path": ["privileged"]}]
	q := finding({"privileged": true, "security_opt": "no-new-privileges:false"})
	q.path == ["security_opt"]
	q.related == [{"msg": "privileged here", "path": ["privileged"]}]
	passes({"privileged": null, "security_opt": ["no-new-privileges=true"]})
}
