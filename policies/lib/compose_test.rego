package rampart.lib.compose_test

import rego.v1

import data.rampart.lib.compose

port(ip, family) := {
	"path": ["ports", 0], "host_ip": ip, "host_ip_family": family, "publish": "fixed",
	"published_start": 8080, "published_end": 8080, "target_start": 80, "target_end": 80,
	"protocol": "tcp", "mode": "ingress", "name": null, "app_protocol": null, "syntax": "short",
}

test_texts if {
	p := port(null, null)
	compose.host_port_text(p) == "8080/tcp"
	compose.container_ports(p) == "80"
	compose.interface(p) == "every interface"
	compose.interface(port("::1", "ipv6")) == "[::1]"
	compose.interface(port("10.0.0.1", "ipv4")) == "10.0.0.1"
	compose.host_ports(object.union(p, {"published_end": 8090})) == "8080-8090"
}

test_published_path if {
	compose.published_path(port(null, null)) == ["ports", 0]
	compose.published_path(object.union(port(null, null), {"syntax": "long"})) == ["ports", 0, "published"]
}

test_ip_overlap if {
	compose.ips_overlap(port(null, null), port("127.0.0.1", "ipv4"))
	compose.ips_overlap(port("::1", "ipv6"), port(null, null))
	compose.ips_overlap(port("0.0.0.0", "ipv4"), port("10.1.2.3", "ipv4"))
	compose.ips_overlap(port("::", "ipv6"), port("::1", "ipv6"))
	compose.ips_overlap(port("127.0.0.1", "ipv4"), port("127.0.0.1", "ipv4"))
	not compose.ips_overlap(port("127.0.0.1", "ipv4"), port("127.0.0.2", "ipv4"))
	not compose.ips_overlap(port("0.0.0.0", "ipv4"), port("::1", "ipv6"))
	not compose.ips_overlap(port("::", "ipv6"), port("127.0.0.1", "ipv4"))
}

# Odd entries: a missing field leaves a text undefined; the form follows the fields that are
# there (no IPv6 brackets without `host_ip_family: ipv6`).
test_texts_of_odd_entries if {
	p := port(null, null)
	not compose.host_ports(object.remove(p, ["published_end"]))
	not compose.container_ports(object.remove(p, ["target_start", "target_end"]))
	compose.container_ports(object.union(p, {"target_end": 90})) == "80-90"
	not compose.interface(object.remove(p, ["host_ip"]))
	not compose.interface(object.remove(port("::1", "ipv6"), ["host_ip"]))
	compose.interface(port("::1", null)) == "::1"
	compose.interface(object.remove(port("::1", null), ["host_ip_family"])) == "::1"
	compose.interface(port(7, "ipv6")) == "[7]"
}

# The `published` key only for a long-syntax entry with a published port, the entry itself
# otherwise; nothing when the path of a long-syntax entry with one cannot be extended.
test_published_path_fallbacks if {
	long := object.union(port(null, null), {"syntax": "long"})
	compose.published_path(object.union(long, {"published_start": null})) == ["ports", 0]
	compose.published_path(object.remove(long, ["published_start"])) == ["ports", 0]
	not compose.published_path(object.union(long, {"path": "ports"}))
	compose.published_path(object.union(long, {"path": "ports", "published_start": null})) == "ports"
	not compose.published_path(object.remove(long, ["path"]))
}
