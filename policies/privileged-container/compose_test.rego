package rampart.checks.privileged_container.compose_test

import rego.v1

import data.rampart.checks.privileged_container.compose as check

svc(service) := {
	"name": "web",
	"service": service,
	"ports": [],
	"project": {"name": "shop", "services": {"web": {"service": service, "ports": []}}},
	"problems": [],
}

test_privileged_is_reported_at_the_key if {
	results := check.deny with input as svc({"image": "nginx:1.27", "privileged": true})
	count(results) == 1
	some r in results
	r.path == ["privileged"]
	r.msg == "service `web` is privileged"
}

# compose-go casts these strings to true (`${PRIVILEGED}` interpolates to a string).
test_true_strings_are_privileged if {
	every value in ["true", "True", "yes", "YES", "on", "y"] {
		results := check.deny with input as svc({"privileged": value})
		count(results) == 1
		some r in results
		r.path == ["privileged"]
		r.msg == sprintf("service `web` is privileged (privileged: %s)", [value])
	}
}

test_false_or_unset_passes if {
	count(check.deny) == 0 with input as svc({"image": "nginx:1.27"})
	count(check.deny) == 0 with input as svc({"privileged": false})
	count(check.deny) == 0 with input as svc({"privileged": null})
	every value in ["false", "no", "off", "n", "", "1", "privileged"] {
		count(check.deny) == 0 with input as svc({"privileged": value})
	}
}

# Not privileged in Docker's sense: wide capabilities or host namespaces are other checks' business.
test_capabilities_and_namespaces_are_not_privileged if {
	service := {"cap_add": ["ALL"], "network_mode": "host", "pid": "host", "security_opt": ["seccomp:unconfined"]}
	count(check.deny) == 0 with input as svc(service)
}

test_message_names_the_service if {
	inp := object.union(svc({"privileged": true}), {"name": "agent"})
	results := check.deny with input as inp
	some r in results
	r.msg == "service `agent` is privileged"
}

test_other_services_do_not_matter if {
	inp := object.union(svc({}), {"project": {"name": "shop", "services": {
		"web": {"service": {}, "ports": []},
		"agent": {"service": {"privileged": true}, "ports": []},
	}}})
	count(check.deny) == 0 with input as inp
}
