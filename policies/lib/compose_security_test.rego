package rampart.lib.compose_security_test

import rego.v1

import data.rampart.lib.compose_security as cs

test_is_true_accepts_compose_booleans if {
	cs.is_true(true)
	cs.is_true("true")
	cs.is_true("True")
	cs.is_true("YES")
	cs.is_true("y")
	cs.is_true("on")
}

test_is_true_rejects_everything_else if {
	not cs.is_true(false)
	not cs.is_true("false")
	not cs.is_true("no")
	not cs.is_true("off")
	not cs.is_true("1")
	not cs.is_true(1)
	not cs.is_true(null)
	not cs.is_true("")
	not cs.is_true(" true")
	not cs.is_true(["true"])
}

test_normalize_capability if {
	cs.normalize_capability("CAP_SYS_ADMIN") == "SYS_ADMIN"
	cs.normalize_capability("sys_admin") == "SYS_ADMIN"
	cs.normalize_capability("cap_net_bind_service") == "NET_BIND_SERVICE"
	cs.normalize_capability("NET_RAW") == "NET_RAW"
	not cs.normalize_capability(7)
}

test_is_all if {
	cs.is_all("ALL")
	cs.is_all("all")
	cs.is_all("All")
	not cs.is_all("CAP_ALL")
	not cs.is_all(["ALL"])
	not cs.is_all(null)
}

test_no_new_privileges_spellings if {
	cs.no_new_privileges("no-new-privileges") == "true"
	cs.no_new_privileges("no-new-privileges:true") == "true"
	cs.no_new_privileges("no-new-privileges=true") == "true"
	cs.no_new_privileges("no-new-privileges=1") == "true"
	cs.no_new_privileges("no-new-privileges:TRUE") == "true"
	cs.no_new_privileges("no-new-privileges:t") == "true"
	cs.no_new_privileges("no-new-privileges:false") == "false"
	cs.no_new_privileges("no-new-privileges=0") == "false"
	cs.no_new_privileges("no-new-privileges=False") == "false"
}

test_no_new_privileges_invalid_values if {
	cs.no_new_privileges("no-new-privileges:yes") == "invalid"
	cs.no_new_privileges("no-new-privileges: true") == "invalid"
	cs.no_new_privileges("no-new-privileges=") == "invalid"
	cs.no_new_privileges("no-new-privileges:tRUE") == "invalid"
}

# `=` wins over `:` as the separator: `no-new-privileges:x=true` has the key `no-new-privileges:x`.
test_equals_is_the_first_separator if {
	not cs.no_new_privileges("no-new-privileges:x=true")
	cs.no_new_privileges("no-new-privileges=x:true") == "invalid"
}

test_other_options_are_not_no_new_privileges if {
	not cs.no_new_privileges("seccomp:unconfined")
	not cs.no_new_privileges("apparmor=unconfined")
	not cs.no_new_privileges("label:disable")
	not cs.no_new_privileges("No-New-Privileges:true")
	not cs.no_new_privileges("no-new-privileges-x")
	not cs.no_new_privileges(" no-new-privileges")
	not cs.no_new_privileges(true)
	not cs.no_new_privileges({"no-new-privileges": true})
}

test_no_new_privileges_index_is_the_last_setting if {
	service := {"security_opt": ["no-new-privileges:false", "seccomp:unconfined", "no-new-privileges", "label:disable"]}
	cs.no_new_privileges_index(service) == 2
}

test_no_new_privileges_index_undefined_without_a_setting if {
	not cs.no_new_privileges_index({})
	not cs.no_new_privileges_index({"security_opt": []})
	not cs.no_new_privileges_index({"security_opt": ["seccomp:unconfined"]})
	not cs.no_new_privileges_index({"security_opt": "no-new-privileges:true"})
	not cs.no_new_privileges_index({"security_opt": null})
}

# An option is split at its first `=` even when a `:` comes first, at its first `:` only
# without any `=`; not at all without either (or when it is not a string).
test_split_option if {
	cs.split_option("a:b=c") == ["a:b", "c"]
	cs.split_option("a=b:c") == ["a", "b:c"]
	cs.split_option("a:b:c") == ["a", "b:c"]
	cs.split_option("a=") == ["a", ""]
	cs.split_option(":a") == ["", "a"]
	not cs.split_option("no-new-privileges")
	not cs.split_option(7)
}

# strconv.ParseBool: anything but its true and false spellings is invalid, whatever its type.
test_parse_bool if {
	cs.parse_bool("T") == "true"
	cs.parse_bool("0") == "false"
	cs.parse_bool("yes") == "invalid"
	cs.parse_bool("") == "invalid"
	cs.parse_bool(true) == "invalid"
	cs.parse_bool(1) == "invalid"
	cs.parse_bool(null) == "invalid"
}
