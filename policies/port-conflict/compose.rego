# METADATA
# description: |
#   Two Compose services of one project publish overlapping host ports, or one service
#   publishes the same host port twice (after the override file is merged, `extends` resolved
#   and `.env` interpolated): the protocol is the same, the host port ranges intersect, and the
#   host IPs overlap (no host IP binds every interface, `0.0.0.0` every IPv4 address, `::` every
#   IPv6 address; other addresses overlap only when equal; an IPv4 and an IPv6 address never
#   do). A host port range with a single container port (`"8000-8010:80"`, Docker picks a free
#   port of the range) conflicts only with a port that takes the whole range. Ports Docker
#   picks itself (`"80"`) and ports whose value comes from a variable without a value never
#   conflict. Each side is reported, with the other as a related location.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/services/#ports
#     description: Compose services, `ports`
# custom:
#   targets: [compose-service]
#   why: |
#     the second container fails to start with "port is already allocated", and
#     which one wins depends on start order.
#   remediation: |
#     Give each service its own host port (or bind them to different host IPs), or do not
#     publish ports that only other services of the project need: they reach each other by
#     service name on the project network.
package rampart.checks.port_conflict.compose

import rego.v1

import data.rampart.lib.compose

# Both rules first compare host port bounds inline, so that most pairs never reach `conflict`
# (function calls are what costs in the interpreter).

# Another service of the project publishes an overlapping host port.
deny contains {
	"msg": sprintf("host port %s on %s is also published by service `%s` on %s", [
		compose.host_port_text(p), compose.interface(p), other, compose.interface(q),
	]),
	"path": compose.published_path(p),
	"related": [{
		"msg": sprintf("service `%s` publishes host port %s on %s here", [
			other, compose.host_port_text(q), compose.interface(q),
		]),
		"path": compose.published_path(q),
		"object": {"service": other},
	}],
} if {
	some [i, other, j] in port_overlaps
	p := input.ports[i]
	q := input.project.services[other].ports[j]
	conflict(p, q)
}

# The service itself publishes an overlapping host port twice.
deny contains {
	"msg": sprintf("host port %s on %s is also published by `ports[%d]` of this service, on %s", [
		compose.host_port_text(p), compose.interface(p), q.path[1], compose.interface(q),
	]),
	"path": compose.published_path(p),
	"related": [{
		"msg": sprintf("`ports[%d]` publishes host port %s on %s here", [
			q.path[1], compose.host_port_text(q), compose.interface(q),
		]),
		"path": compose.published_path(q),
	}],
} if {
	some [i, j] in own_port_overlaps
	p := input.ports[i]
	q := input.ports[j]
	conflict(p, q)
}

# Every published port of this service and a published port of another service whose host
# port ranges overlap, as [i, other, j] (`input.ports[i]`, `input.project.services[other].ports[j]`),
# and the overlapping pairs [i, j] of its own ports: what conflict() decides on. On the RVM
# rampart computes both once per service in Rust (`data.rampart.facts.port_overlaps` and
# `own_port_overlaps`, src/policy/facts.rs; a test holds both alike), instead of comparing every
# port of the project here; elsewhere they are computed here.
port_overlaps := data.rampart.facts.port_overlaps if is_array(data.rampart.facts.port_overlaps)

port_overlaps := computed_port_overlaps if not is_array(data.rampart.facts.port_overlaps)

computed_port_overlaps := [[i, other, j] |
	some i, p in input.ports
	p.published_start != null
	some other, s in input.project.services
	other != input.name
	some j, q in s.ports
	q.published_start != null
	p.published_start <= q.published_end
	q.published_start <= p.published_end
]

own_port_overlaps := data.rampart.facts.own_port_overlaps if is_array(data.rampart.facts.own_port_overlaps)

own_port_overlaps := computed_own_port_overlaps if not is_array(data.rampart.facts.own_port_overlaps)

computed_own_port_overlaps := [[i, j] |
	some i, p in input.ports
	p.published_start != null
	some j, q in input.ports
	i != j
	q.published_start != null
	p.published_start <= q.published_end
	q.published_start <= p.published_end
]

conflict(p, q) if {
	p.protocol == q.protocol
	ranges_clash(p, q)
	compose.ips_overlap(p, q)
}

# Fixed host ports (or ranges mapped one to one) clash when they intersect.
ranges_clash(p, q) if {
	p.publish == "fixed"
	q.publish == "fixed"
	p.published_start <= q.published_end
	q.published_start <= p.published_end
}

# Docker picks a free port of a range: it fails only when a fixed range takes all of it.
ranges_clash(p, q) if {
	p.publish == "range"
	q.publish == "fixed"
	covers(q, p)
}

ranges_clash(p, q) if {
	p.publish == "fixed"
	q.publish == "range"
	covers(p, q)
}

covers(fixed, range) if {
	fixed.published_start <= range.published_start
	range.published_end <= fixed.published_end
}
