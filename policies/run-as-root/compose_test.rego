package rampart.checks.run_as_root.compose_test

import rego.v1

import data.rampart.checks.run_as_root.compose as check

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

test_unset_user_is_reported_at_the_service if {
	r := finding({"image": "nginx:1.27"})
	r.path == ["user"]
	r.msg == "service `web` may run as root: `user` is not set, so it runs as the image's user"
}

test_null_user_counts_as_unset if {
	r := finding({"image": "nginx:1.27", "user": null})
	r.msg == "service `web` may run as root: `user` is not set, so it runs as the image's user"
}

test_empty_user_is_reported if {
	r := finding({"image": "nginx:1.27", "user": ""})
	r.path == ["user"]
	r.msg == "service `web` may run as root: `user` is empty, so it runs as the image's user"
}

test_root_by_name if {
	r := finding({"user": "root"})
	r.path == ["user"]
	r.msg == "service `web` runs as root (user: root)"
}

test_root_by_uid_string if {
	r := finding({"user": "0"})
	r.msg == "service `web` runs as root (user: 0)"
}

test_root_by_uid_integer if {
	r := finding({"user": 0})
	r.path == ["user"]
	r.msg == "service `web` runs as root (user: 0)"
}

test_root_uid_with_any_group if {
	finding({"user": "0:0"}).msg == "service `web` runs as root (user: 0:0)"
	finding({"user": "0:1000"}).msg == "service `web` runs as root (user: 0:1000)"
	finding({"user": "0:staff"}).msg == "service `web` runs as root (user: 0:staff)"
	finding({"user": "root:root"}).msg == "service `web` runs as root (user: root:root)"
	finding({"user": "root:1000"}).msg == "service `web` runs as root (user: root:1000)"
}

# Docker parses a numeric uid with strconv.Atoi: leading zeros and a plus sign still mean 0.
test_zero_spellings_are_root if {
	finding({"user": "00"}).msg == "service `web` runs as root (user: 00)"
	finding({"user": "+0:0"}).msg == "service `web` runs as root (user: +0:0)"
	finding({"user": "+000"}).msg == "service `web` runs as root (user: +000)"
}

# An empty user part falls back to the default uid, 0.
test_empty_user_part_is_root if {
	finding({"user": ":1000"}).msg == "service `web` runs as root (user: :1000)"
}

test_non_root_users_pass if {
	every user in ["1000", "1000:1000", 1000, "app", "app:app", "nobody", "65534:65534", "1001:0", "10", "100:0", "appuser:root", "++0", "+", "+01", "0+"] {
		count(check.deny) == 0 with input as svc({"image": "nginx:1.27", "user": user})
	}
}

# Linux user names are case-sensitive: `ROOT` is not root (it is looked up in /etc/passwd).
test_names_are_case_sensitive if {
	count(check.deny) == 0 with input as svc({"user": "ROOT"})
}

# Values of the wrong type are `invalid-compose`'s business.
test_user_of_the_wrong_type_is_not_reported if {
	count(check.deny) == 0 with input as svc({"user": true})
	count(check.deny) == 0 with input as svc({"user": ["0"]})
	count(check.deny) == 0 with input as svc({"user": {"uid": 0}})
}

# The service name comes from the input, not from the project map.
test_message_names_the_service if {
	inp := object.union(svc({"user": "0"}), {"name": "db"})
	results := check.deny with input as inp
	some r in results
	r.msg == "service `db` runs as root (user: 0)"
}

# Other services of the project do not matter.
test_only_the_evaluated_service_counts if {
	inp := object.union(svc({"user": "1000"}), {"project": {"name": "shop", "services": {
		"web": {"service": {"user": "1000"}, "ports": []},
		"db": {"service": {"user": "0"}, "ports": []},
	}}})
	count(check.deny) == 0 with input as inp
}

# An empty user is not a root user, and a user of another type is set: neither falls to
# "not set".
test_empty_and_odd_users if {
	finding({"user": ""}).msg == "service `web` may run as root: `user` is empty, so it runs as the image's user"
	count(check.deny) == 0 with input as svc({"user": false})
	count(check.deny) == 0 with input as svc({"user": 1000})
	finding({"user": 0.0}).msg == "service `web` runs as root (user: 0)"
}
