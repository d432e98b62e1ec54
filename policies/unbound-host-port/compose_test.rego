package rampart.checks.unbound_host_port.compose_test

import rego.v1

import data.rampart.checks.unbound_host_port.compose as check

port(i, ip, family, publish) := {
	"path": ["ports", i], "host_ip": ip, "host_ip_family": family, "publish": publish,
	"published_start": 8080, "published_end": 8080, "target_start": 80, "target_end": 80,
	"protocol": "tcp", "mode": "ingress", "name": null, "app_protocol": null, "syntax": "short",
}

svc(ports) := {"name": "web", "service": {}, "ports": ports, "problems": []}

test_no_host_ip_is_reported if {
	results := check.deny with input as svc([port(0, null, null, "fixed")])
	results == {{"msg": "host port 8080/tcp is published on every interface (no host IP)", "path": ["ports", 0]}}
}

test_any_addresses_are_reported if {
	results := check.deny with input as svc([port(0, "0.0.0.0", "ipv4", "fixed"), port(1, "::", "ipv6", "fixed")])
	count(results) == 2
	some r in results
	r.msg == "host port 8080/tcp is published on every IPv6 interface (host IP `::`)"
	r.path == ["ports", 1]
}

test_random_host_port_is_reported if {
	p := object.union(port(0, null, null, "ephemeral"), {"published_start": null, "published_end": null})
	results := check.deny with input as svc([p])
	results == {{"msg": "container port 80/tcp is published on a random host port on every interface (no host IP)", "path": ["ports", 0]}}
}

test_bound_and_unknown_ports_pass if {
	ports := [port(0, "127.0.0.1", "ipv4", "fixed"), port(1, "::1", "ipv6", "fixed"), port(2, null, null, "unknown")]
	count(check.deny) == 0 with input as svc(ports)
}

# The message follows the entry's fields as they are: a random host port whose container port
# is missing gives no text (and no finding), a host IP without a family is not called IPv4, and
# a port range is written as one.
test_messages_of_odd_entries if {
	eph := object.remove(port(0, null, null, "ephemeral"), ["target_start", "target_end"])
	count(check.deny) == 0 with input as svc([eph])
	results := check.deny with input as svc([port(0, "0.0.0.0", null, "fixed")])
	results == {{"msg": "host port 8080/tcp is published on every IPv6 interface (host IP `0.0.0.0`)", "path": ["ports", 0]}}
	range := object.union(port(0, "0.0.0.0", "ipv4", "fixed"), {"published_end": 8090})
	ranged := check.deny with input as svc([range])
	ranged == {{"msg": "host port 8080-8090/tcp is published on every IPv4 interface (host IP `0.0.0.0`)", "path": ["ports", 0]}}
	long_range := object.union(port(0, null, null, "ephemeral"), {"target_end": 90})
	randoms := check.deny with input as svc([long_range])
	randoms == {{"msg": "container port 80-90/tcp is published on a random host port on every interface (no host IP)", "path": ["ports", 0]}}
}
