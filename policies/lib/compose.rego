# Helpers for Compose policies: how a normalised port entry of `input.ports` is written in
# messages, and where a finding about it points. See CONTRIBUTING.md, "Compose policies", for
# the shape of `input`.
package rampart.lib.compose

import rego.v1

# `8080` or `8000-8010`: the host ports an entry publishes.
host_ports(p) := sprintf("%d", [p.published_start]) if p.published_start == p.published_end

host_ports(p) := sprintf("%d-%d", [p.published_start, p.published_end]) if not p.published_start == p.published_end

# `8080/tcp`.
host_port_text(p) := sprintf("%s/%s", [host_ports(p), p.protocol])

# `80` or `8000-8010`: the container ports an entry maps.
container_ports(p) := sprintf("%d", [p.target_start]) if p.target_start == p.target_end

container_ports(p) := sprintf("%d-%d", [p.target_start, p.target_end]) if not p.target_start == p.target_end

# Where an entry binds: `every interface`, `127.0.0.1`, `[::1]`.
interface(p) := "every interface" if p.host_ip == null

interface(p) := sprintf("[%s]", [p.host_ip]) if {
	not p.host_ip == null
	p.host_ip_family == "ipv6"
}

interface(p) := p.host_ip if {
	not p.host_ip == null
	not p.host_ip_family == "ipv6"
}

# The path a finding about the host side of an entry points at: the entry, or its `published`
# key in the long syntax.
published_path(p) := array.concat(p.path, ["published"]) if long_with_published(p)

published_path(p) := p.path if not long_with_published(p)

# The entry is in the long syntax and has a `published` port.
long_with_published(p) if {
	p.syntax == "long"
	p.published_start != null
}

# The host IP binds every address of its family (or every interface, when there is none).
binds_everything(p) if p.host_ip == null

binds_everything(p) if p.host_ip in {"0.0.0.0", "::"}

# Two entries' host IPs can accept the same connection: no host IP binds every interface,
# `0.0.0.0` every IPv4 address and `::` every IPv6 address; otherwise the addresses must be
# equal. An IPv4 and an IPv6 address never overlap.
ips_overlap(p, q) if p.host_ip == null

ips_overlap(p, q) if q.host_ip == null

ips_overlap(p, q) if {
	p.host_ip_family != null
	p.host_ip_family == q.host_ip_family
	some x in [p, q]
	x.host_ip in {"0.0.0.0", "::"}
}

ips_overlap(p, q) if {
	p.host_ip_family != null
	p.host_ip == q.host_ip
}
