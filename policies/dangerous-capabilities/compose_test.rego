package rampart.checks.dangerous_capabilities.compose_test

import rego.v1

import data.rampart.checks.dangerous_capabilities.compose as check

svc(service) := {
	"name": "web",
	"service": service,
	"ports": [],
	"project": {"name": "shop", "services": {"web": {"service": service, "ports": []}}},
	"problems": [],
}

results(service) := rs if {
	rs := check.deny with input as svc(service)
}

test_no_cap_drop_is_reported_at_the_service if {
	results({"image": "nginx:1.27"}) == {{"msg": "service `web` does not drop ALL capabilities", "path": ["cap_drop"]}}
}

test_empty_or_null_cap_drop_is_reported if {
	results({"cap_drop": []}) == {{"msg": "service `web` does not drop ALL capabilities", "path": ["cap_drop"]}}
	results({"cap_drop": null}) == {{"msg": "service `web` does not drop ALL capabilities", "path": ["cap_drop"]}}
}

test_cap_drop_without_all_names_what_it_drops if {
	results({"cap_drop": ["NET_RAW", "MKNOD"]}) == {{"msg": "service `web` drops NET_RAW, MKNOD but not ALL capabilities", "path": ["cap_drop"]}}
}

test_drop_all_in_any_case_passes if {
	every cap in ["ALL", "all", "All"] {
		count(results({"cap_drop": [cap]})) == 0
	}
	count(results({"cap_drop": ["NET_RAW", "ALL"]})) == 0
}

# `CAP_ALL` is not `ALL`: the daemon rejects it as an unknown capability.
test_cap_all_is_not_all if {
	results({"cap_drop": ["CAP_ALL"]}) == {{"msg": "service `web` drops CAP_ALL but not ALL capabilities", "path": ["cap_drop"]}}
}

test_net_bind_service_is_allowed_in_every_spelling if {
	every cap in ["NET_BIND_SERVICE", "CAP_NET_BIND_SERVICE", "net_bind_service", "cap_net_bind_service", "Net_Bind_Service"] {
		count(results({"cap_drop": ["ALL"], "cap_add": [cap]})) == 0
	}
}

test_each_added_capability_is_a_finding_at_its_entry if {
	rs := results({"cap_drop": ["ALL"], "cap_add": ["NET_BIND_SERVICE", "SYS_ADMIN", "cap_net_raw"]})
	rs == {
		{"msg": "service `web` adds capability SYS_ADMIN", "path": ["cap_add", 1]},
		{"msg": "service `web` adds capability cap_net_raw", "path": ["cap_add", 2]},
	}
}

test_add_all_is_reported if {
	rs := results({"cap_drop": ["ALL"], "cap_add": ["all"]})
	rs == {{"msg": "service `web` adds all capabilities (cap_add: all)", "path": ["cap_add", 0]}}
}

test_add_and_missing_drop_are_both_reported if {
	rs := results({"cap_add": ["SYS_PTRACE"]})
	rs == {
		{"msg": "service `web` adds capability SYS_PTRACE", "path": ["cap_add", 0]},
		{"msg": "service `web` does not drop ALL capabilities", "path": ["cap_drop"]},
	}
}

test_non_string_entries_are_reported_as_written if {
	rs := results({"cap_drop": ["ALL"], "cap_add": [7]})
	rs == {{"msg": "service `web` adds capability 7", "path": ["cap_add", 0]}}
}

# A string or a map is not a list (invalid-compose reports it): nothing is added, nothing dropped.
test_lists_of_the_wrong_type if {
	results({"cap_add": "SYS_ADMIN", "cap_drop": ["ALL"]}) == set()
	results({"cap_drop": "ALL"}) == {{"msg": "service `web` does not drop ALL capabilities", "path": ["cap_drop"]}}
}

test_hardened_service_passes if {
	count(results({"image": "nginx:1.27", "cap_drop": ["ALL"], "cap_add": ["NET_BIND_SERVICE"]})) == 0
}

test_message_names_the_service if {
	inp := object.union(svc({"cap_drop": ["ALL"], "cap_add": ["SYS_ADMIN"]}), {"name": "agent"})
	rs := check.deny with input as inp
	rs == {{"msg": "service `agent` adds capability SYS_ADMIN", "path": ["cap_add", 0]}}
}

# `ALL` in any case is "all capabilities", any other string is named as written, anything else
# as JSON; `cap_drop` entries of any type are named, and a `cap_drop` that is no list or an
# empty one drops nothing.
test_messages_for_odd_entries if {
	rs := results({"cap_drop": [false, null, {"a": 1}], "cap_add": ["All", "", null, false, ["ALL"], {"a": "b"}]})
	rs == {
		{"msg": "service `web` adds all capabilities (cap_add: All)", "path": ["cap_add", 0]},
		{"msg": "service `web` adds capability ", "path": ["cap_add", 1]},
		{"msg": "service `web` adds capability null", "path": ["cap_add", 2]},
		{"msg": "service `web` adds capability false", "path": ["cap_add", 3]},
		{"msg": "service `web` adds capability [\"ALL\"]", "path": ["cap_add", 4]},
		{"msg": "service `web` adds capability {\"a\":\"b\"}", "path": ["cap_add", 5]},
		{"msg": "service `web` drops false, null, {\"a\": 1} but not ALL capabilities", "path": ["cap_drop"]},
	}
	results({"cap_drop": {"ALL": true}, "cap_add": []}) == {{"msg": "service `web` does not drop ALL capabilities", "path": ["cap_drop"]}}
	results({"cap_drop": false}) == {{"msg": "service `web` does not drop ALL capabilities", "path": ["cap_drop"]}}
}
