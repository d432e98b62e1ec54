package rampart.checks.writable_root_filesystem.compose_test

import rego.v1

import data.rampart.checks.writable_root_filesystem.compose as check

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

test_unset_is_reported_at_the_service if {
	results({"image": "nginx:1.27"}) == {{"msg": "service `web` has a writable root filesystem: read_only is not set", "path": ["read_only"]}}
}

test_null_counts_as_unset if {
	results({"read_only": null}) == {{"msg": "service `web` has a writable root filesystem: read_only is not set", "path": ["read_only"]}}
}

test_false_is_reported_at_the_key if {
	results({"read_only": false}) == {{"msg": "service `web` has a writable root filesystem (read_only: false)", "path": ["read_only"]}}
}

test_false_strings_are_reported_as_written if {
	every value in ["false", "no", "off", "n", ""] {
		results({"read_only": value}) == {{"msg": sprintf("service `web` has a writable root filesystem (read_only: %s)", [value]), "path": ["read_only"]}}
	}
}

# Not a Compose boolean: Compose rejects it (invalid-compose), and the filesystem is not read-only.
test_other_values_are_reported if {
	count(results({"read_only": 1})) == 1
	count(results({"read_only": "1"})) == 1
	count(results({"read_only": ["true"]})) == 1
}

test_true_passes if {
	count(results({"read_only": true})) == 0
}

# compose-go casts these strings to true (`${READ_ONLY}` interpolates to a string).
test_true_strings_pass if {
	every value in ["true", "True", "TRUE", "yes", "on", "y"] {
		count(results({"read_only": value})) == 0
	}
}

# A tmpfs or volume on / does not make the root filesystem read-only.
test_tmpfs_alone_is_not_read_only if {
	count(results({"tmpfs": ["/tmp"], "volumes": ["data:/data"]})) == 1
}

test_message_names_the_service if {
	inp := object.union(svc({"read_only": false}), {"name": "cache"})
	rs := check.deny with input as inp
	rs == {{"msg": "service `cache` has a writable root filesystem (read_only: false)", "path": ["read_only"]}}
}

# Any value but null is written into the message as it is, false and odd types included.
test_odd_read_only_values_are_written_as_they_are if {
	results({"read_only": ["true"]}) == {{"msg": "service `web` has a writable root filesystem (read_only: [\"true\"])", "path": ["read_only"]}}
	results({"read_only": 0}) == {{"msg": "service `web` has a writable root filesystem (read_only: 0)", "path": ["read_only"]}}
	results({"read_only": ""}) == {{"msg": "service `web` has a writable root filesystem (read_only: )", "path": ["read_only"]}}
}
