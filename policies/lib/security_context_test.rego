package rampart.lib.security_context_test

import rego.v1

import data.rampart.lib.security_context as sc

with_caps(caps) := {"name": "a", "securityContext": {"capabilities": caps}}

test_normalize_capability_prefix_and_case if {
	sc.normalize_capability("CAP_SYS_ADMIN") == "SYS_ADMIN"
	sc.normalize_capability("SYS_ADMIN") == "SYS_ADMIN"
	sc.normalize_capability("sys_admin") == "SYS_ADMIN"
	sc.normalize_capability("cap_net_bind_service") == "NET_BIND_SERVICE"
}

test_normalize_capability_ignores_non_strings if {
	not sc.normalize_capability(12)
}

test_is_all_is_case_insensitive if {
	sc.is_all("ALL")
	sc.is_all("all")
	not sc.is_all("CAP_ALL")
	not sc.is_all("NET_RAW")
}

test_granting_adds_by_name_in_any_spelling if {
	sc.granting_adds(with_caps({"add": ["NET_RAW", "CAP_SYS_ADMIN"]}), "SYS_ADMIN") == {1}
	sc.granting_adds(with_caps({"add": ["sys_admin"]}), "SYS_ADMIN") == {0}
	sc.granting_adds(with_caps({"add": ["SYS_ADMIN"]}), "SYS_ADMIN") == {0}
}

test_granting_adds_through_all if {
	sc.granting_adds(with_caps({"add": ["all"]}), "SYS_ADMIN") == {0}
}

test_add_by_name_survives_drop_all if {
	sc.granting_adds(with_caps({"add": ["SYS_ADMIN"], "drop": ["ALL"]}), "SYS_ADMIN") == {0}
}

test_drop_by_name_wins if {
	sc.granting_adds(with_caps({"add": ["SYS_ADMIN", "ALL"], "drop": ["cap_sys_admin"]}), "SYS_ADMIN") == set()
}

test_add_all_is_undone_by_drop_all if {
	sc.granting_adds(with_caps({"add": ["ALL"], "drop": ["ALL"]}), "SYS_ADMIN") == set()
}

test_granting_adds_without_capabilities if {
	sc.granting_adds({"name": "a"}, "SYS_ADMIN") == set()
	sc.granting_adds(with_caps({"drop": ["ALL"]}), "SYS_ADMIN") == set()
}

test_is_windows if {
	sc.is_windows with input as {"kind": "Pod", "spec": {"os": {"name": "windows"}, "containers": []}}
	not sc.is_windows with input as {"kind": "Pod", "spec": {"os": {"name": "linux"}, "containers": []}}
	not sc.is_windows with input as {"kind": "Pod", "spec": {"containers": []}}
	sc.is_windows with input as {"kind": "Deployment", "spec": {"template": {"spec": {"os": {"name": "windows"}}}}}
}
