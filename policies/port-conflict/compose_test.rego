package rampart.checks.port_conflict.compose_test

import rego.v1

import data.rampart.checks.port_conflict.compose as check

port(i, spec) := object.union(
	{
		"path": ["ports", i], "host_ip": null, "host_ip_family": null, "publish": "fixed",
		"published_start": 8080, "published_end": 8080, "target_start": 80, "target_end": 80,
		"protocol": "tcp", "mode": "ingress", "name": null, "app_protocol": null, "syntax": "short",
	},
	spec,
)

# `web` with `ports`, in a project that also has `other` with `other_ports`.
project(ports, other_ports) := {
	"name": "web",
	"service": {},
	"ports": ports,
	"problems": [],
	"project": {"name": "p", "services": {
		"web": {"service": {}, "ports": ports},
		"api": {"service": {}, "ports": other_ports},
	}},
}

conflicts(ports, other_ports) := results if {
	results := check.deny with input as project(ports, other_ports)
}

test_same_port_every_interface if {
	results := conflicts([port(0, {})], [port(0, {})])
	count(results) == 1
	some r in results
	r.msg == "host port 8080/tcp on every interface is also published by service `api` on every interface"
	r.path == ["ports", 0]
	r.related == [{
		"msg": "service `api` publishes host port 8080/tcp on every interface here",
		"path": ["ports", 0],
		"object": {"service": "api"},
	}]
}

test_every_interface_overlaps_an_address if {
	count(conflicts([port(0, {})], [port(0, {"host_ip": "127.0.0.1", "host_ip_family": "ipv4"})])) == 1
}

test_different_addresses_do_not_conflict if {
	a := port(0, {"host_ip": "127.0.0.1", "host_ip_family": "ipv4"})
	b := port(0, {"host_ip": "127.0.0.2", "host_ip_family": "ipv4"})
	count(conflicts([a], [b])) == 0
}

test_any_address_overlaps_its_family_only if {
	any4 := port(0, {"host_ip": "0.0.0.0", "host_ip_family": "ipv4"})
	any6 := port(0, {"host_ip": "::", "host_ip_family": "ipv6"})
	lo4 := port(0, {"host_ip": "127.0.0.1", "host_ip_family": "ipv4"})
	lo6 := port(0, {"host_ip": "::1", "host_ip_family": "ipv6"})
	count(conflicts([any4], [lo4])) == 1
	count(conflicts([any6], [lo6])) == 1
	count(conflicts([any4], [lo6])) == 0
	count(conflicts([any6], [lo4])) == 0
}

test_protocols_differ if {
	count(conflicts([port(0, {"protocol": "udp"})], [port(0, {})])) == 0
}

test_ranges_intersect if {
	r := port(0, {"published_start": 8000, "published_end": 8010, "target_start": 8000, "target_end": 8010})
	count(conflicts([r], [port(0, {"published_start": 8005, "published_end": 8005})])) == 1
	count(conflicts([r], [port(0, {"published_start": 8011, "published_end": 8011})])) == 0
}

test_dynamic_ranges_conflict_only_when_taken_whole if {
	dynamic := port(0, {"publish": "range", "published_start": 8000, "published_end": 8001})
	count(conflicts([dynamic], [port(0, {"published_start": 8000, "published_end": 8000})])) == 0
	whole := port(0, {"published_start": 8000, "published_end": 8001, "target_start": 8000, "target_end": 8001})
	count(conflicts([dynamic], [whole])) == 1
	count(conflicts([dynamic], [dynamic])) == 0
}

test_ephemeral_and_unknown_ports_never_conflict if {
	ephemeral := port(0, {"publish": "ephemeral", "published_start": null, "published_end": null})
	unknown := port(0, {"publish": "unknown", "published_start": null, "published_end": null})
	count(conflicts([ephemeral], [ephemeral])) == 0
	count(conflicts([unknown], [port(0, {})])) == 0
}

test_long_syntax_points_at_published if {
	long := port(0, {"syntax": "long"})
	some r in conflicts([long], [port(0, {})])
	r.path == ["ports", 0, "published"]
}

test_same_service_twice if {
	results := conflicts([port(0, {}), port(1, {"target_start": 81, "target_end": 81})], [])
	count(results) == 2
	some r in results
	r.path == ["ports", 1]
	r.msg == "host port 8080/tcp on every interface is also published by `ports[0]` of this service, on every interface"
	r.related == [{"msg": "`ports[0]` publishes host port 8080/tcp on every interface here", "path": ["ports", 0]}]
}
