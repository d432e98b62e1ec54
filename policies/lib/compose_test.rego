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
