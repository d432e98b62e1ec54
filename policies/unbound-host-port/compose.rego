# METADATA
# description: |
#   A Compose service publishes a port without a host IP (`"8080:80"`, `"80"`, or the long
#   syntax without `host_ip`), or with `0.0.0.0` or `::`, which also bind every address. Docker
#   then listens on every network interface of the host, and its iptables rules bypass the
#   host firewall (ufw, firewalld). A port that Docker picks itself (`"80"`) is reported too:
#   it is as reachable, on a port nobody chose. A port whose host IP or number comes from a
#   variable without a value is not reported.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#ports
#     description: Compose services, `ports`
#   - ref: https://docs.docker.com/engine/network/packet-filtering-firewalls/#docker-and-ufw
#     description: Docker and ufw
# custom:
#   targets: [compose-service]
#   why: |
#     a development database, an admin console or an unauthenticated cache
#     meant for local use becomes reachable from every network the host is on.
#   remediation: |
#     Bind the port to the interface that needs it, usually the loopback interface:
#     `"127.0.0.1:8080:80"` (or `host_ip: 127.0.0.1` in the long syntax). Services of the
#     project reach each other on the project network without publishing anything.
package rampart.checks.unbound_host_port.compose

import rego.v1

import data.rampart.lib.compose

deny contains {"msg": msg, "path": p.path} if {
	some p in input.ports
	p.publish != "unknown"
	compose.binds_everything(p)
	msg := message(p)
}

message(p) := sprintf("container port %s/%s is published on a random host port on %s", [
	compose.container_ports(p), p.protocol, where(p),
]) if {
	p.publish == "ephemeral"
}

message(p) := sprintf("host port %s is published on %s", [compose.host_port_text(p), where(p)]) if {
	not p.publish == "ephemeral"
}

where(p) := "every interface (no host IP)" if p.host_ip == null

where(p) := sprintf("every IPv4 interface (host IP `%s`)", [p.host_ip]) if {
	not p.host_ip == null
	p.host_ip_family == "ipv4"
}

where(p) := sprintf("every IPv6 interface (host IP `%s`)", [p.host_ip]) if {
	not p.host_ip == null
	not p.host_ip_family == "ipv4"
}
