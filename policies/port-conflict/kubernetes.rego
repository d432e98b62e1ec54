# METADATA
# description: |
#   Two things claim the same port, in any of four ways:
#
#   - two containers of one pod (regular containers and sidecars, i.e. init containers
#     with `restartPolicy: Always`; plain init containers run before them and are not
#     compared) declare the same `containerPort` and protocol (TCP when unset): they share
#     the pod's network namespace, so only one can bind it;
#   - one Service lists the same `port` and protocol twice (the API server rejects it);
#   - two Services use the same `nodePort`, in any namespaces (node ports are allocated
#     cluster-wide, so the second Service is rejected); `nodePort: 0` means unset (the API
#     server allocates a free port) and claims nothing;
#   - two workloads, in any namespaces, bind the same host port: the same `hostPort`,
#     protocol and an overlapping `hostIP` (an unset `hostIP` or `0.0.0.0` overlaps every
#     address, as the scheduler counts it; `::` every IPv6 address). With
#     `hostNetwork: true` every container port is a host port. Two containers of one pod
#     with the same host port conflict too.
#
#   Every side of a conflict is reported, each with the others as related locations (the
#   first ten, also named in the message, which says how many more there are: a port that
#   hundreds of objects claim gives a finding per claim, not hundreds of locations each). A
#   second entry of the same Service port is reported with the first as related.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
#     description: "Service type NodePort"
#   - ref: https://kubernetes.io/docs/concepts/services-networking/service/#multi-port-services
#     description: "Multi-port Services"
#   - ref: https://kubernetes.io/docs/concepts/configuration/overview/#services
#     description: "Configuration best practices: avoid hostPort and hostNetwork"
#   - ref: https://kubernetes.io/docs/concepts/workloads/pods/sidecar-containers/
#     description: "Sidecar containers share the pod's network namespace"
# custom:
#   targets: [Service, workload]
#   why: |
#     the second object fails to apply, its pods stay Pending because no
#     node has the host port free, or one process fails to bind and crash-loops. These
#     failures show up only at deploy time, often only on the node where both land.
#   remediation: |
#     Give each container of a pod its own `containerPort`; list each Service port once (one
#     entry per port and protocol); give each Service its own `nodePort`, or leave
#     `nodePort` out and let Kubernetes allocate one. Avoid `hostPort` and `hostNetwork`:
#     expose pods through a Service instead; when a host port is unavoidable, use a distinct
#     port per workload, or a distinct `hostIP`.
package rampart.checks.port_conflict.kubernetes

import rego.v1

import data.rampart.lib.pod_ports as pp
import data.rampart.lib.pod_ports.input_declared_ports
import data.rampart.lib.kubernetes.is_workload
import data.rampart.lib.kubernetes.namespace
import data.rampart.lib.kubernetes.pod_spec
import data.rampart.lib.text

# (a) two containers of one pod declare the same containerPort/protocol.
deny contains {
	"msg": sprintf("containerPort %v/%s of container `%s` is also declared by %s", [p.number, p.protocol, p.container, text.listing(
		{describe_entry(p, o) | some o in shown},
		count(shown), count(others),
	)]),
	"path": array.concat(p.path, ["containerPort"]),
	"related": [{
		"msg": sprintf("containerPort %v/%s also declared here by container `%s`", [o.number, o.protocol, o.container]),
		"path": array.concat(o.path, ["containerPort"]),
	} |
		some o in shown
	],
} if {
	is_workload
	ports := input_declared_ports
	some p in ports
	others := {o |
		some o in ports
		o.path != p.path
		o.number == p.number
		o.protocol == p.protocol
	}
	count(others) > 0
	shown := text.first(others, 0)
}

describe_entry(p, o) := "another entry of the same container" if same_container(p, o)

describe_entry(p, o) := sprintf("container `%s`", [o.container]) if not same_container(p, o)

# Two declared ports of the same container.
same_container(p, o) if o.container_path == p.container_path

# (b) one Service lists the same port/protocol twice: every entry after the first.
deny contains {
	"msg": sprintf("port %v/%s is listed twice in this Service%s", [port.port, protocol, first_name(first)]),
	"path": ["spec", "ports", j, "port"],
	"related": [{
		"msg": sprintf("port %v/%s first listed here", [port.port, protocol]),
		"path": ["spec", "ports", i, "port"],
	}],
} if {
	input.kind == "Service"
	is_array(input.spec.ports)
	some j, port in input.spec.ports
	is_number(port.port)
	protocol := pp.protocol(port)
	earlier := [k |
		some k, other in input.spec.ports
		k < j
		other.port == port.port
		pp.protocol(other) == protocol
	]
	count(earlier) > 0
	i := min(earlier)
	first := input.spec.ports[i]
}

first_name(first) := sprintf(" (first as `%s`)", [first.name]) if {
	is_string(first.name)
}

first_name(first) := "" if not is_string(first.name)

# (c) the same nodePort in two Services, anywhere in the cluster.
deny contains {
	"msg": sprintf("nodePort %v is also used by %s", [node_port, text.listing(
		{sprintf("Service %s/%s", [o.object.namespace, o.object.name]) | some o in claims.first},
		count(claims.first), claims.count,
	)]),
	"path": ["spec", "ports", i, "nodePort"],
	"related": [{
		"msg": sprintf("nodePort %v also used here", [node_port]),
		"path": ["spec", "ports", o.index, "nodePort"],
		"object": o.object,
	} |
		some o in claims.first
	],
} if {
	input.kind == "Service"
	is_array(input.spec.ports)
	some i, port in input.spec.ports
	node_port := port.nodePort
	is_number(node_port)
	# 0 means "unset": the API server allocates a free port.
	node_port != 0
	claims := node_port_claims(node_port)
	claims.count > 0
}

# The other Services' claims on `node_port`: how many, and the first few (`text.first`) in
# set order. rampart's answer (data.rampart.facts, built-in checks) reads the index once per
# Service; here each Service walks every claim of the port.
node_port_claims(node_port) := data.rampart.facts.node_port_claims[node_port] if {
	is_object(data.rampart.facts.node_port_claims)
}

node_port_claims(node_port) := {"count": count(others), "first": text.first(others, 0)} if {
	not is_object(data.rampart.facts.node_port_claims)
	# The index lists every `v1` Service port by nodePort.
	others := {o |
		some o in data.rampart.index.node_ports[node_port]
		not self(o.object.namespace, "v1", "Service", o.object.name)
	}
}

# (d) two workloads (or two containers of one pod) bind the same host port.
deny contains {
	"msg": sprintf("host port %s of container `%s` is also bound by %s", [pp.host_port_text(b), b.container, text.listing(
		array.concat(
			[sprintf("container `%s`", [o.container]) | some o in shown_inner],
			[sprintf("%s %s/%s (container `%s`)", [o.object.kind, o.object.namespace, o.object.name, o.binding.container]) | some o in shown_outer],
		),
		count(shown_inner) + count(shown_outer), count(inner) + outer.count,
	)]),
	"path": array.concat(b.path, [b.field]),
	"related": array.concat(
		[{
			"msg": sprintf("host port %s also bound here by container `%s`", [pp.host_port_text(o), o.container]),
			"path": array.concat(o.path, [o.field]),
		} |
			some o in shown_inner
		],
		[{
			"msg": sprintf("host port %s also bound here by container `%s`", [pp.host_port_text(o.binding), o.binding.container]),
			"path": array.concat(o.binding.path, [o.binding.field]),
			"object": o.object,
		} |
			some o in shown_outer
		],
	),
} if {
	is_workload
	some b in own_bindings
	inner := {o |
		some o in own_bindings
		o.path != b.path
		same_host_port(o, b)
		# Two entries with the same containerPort are already a conflict of their own (a).
		not same_container_port(o, b)
	}
	outer := outer_claims(b)
	count(inner) + outer.count > 0
	# The first few of the others, those of the same pod first.
	shown_inner := text.first(inner, 0)
	shown_outer := text.first(outer.first, count(shown_inner))
}

# The claims of other workloads on binding `b`'s host port, protocol and address: how many,
# and the first few (`text.first`) in set order. rampart's answer (data.rampart.facts,
# built-in checks) gathers a port's claims once per unit; here each workload reads every
# workload that may bind its ports.
outer_claims(b) := data.rampart.facts.host_port_claims[[b.host_port, b.protocol, b.host_ip]] if {
	is_object(data.rampart.facts.host_port_claims)
}

outer_claims(b) := {"count": count(outer), "first": text.first(outer, 0)} if {
	not is_object(data.rampart.facts.host_port_claims)
	outer := {o |
		some o in foreign_bindings
		same_host_port(o.binding, b)
	}
}

# The host ports the input binds; computed only when its pod spec sets `hostNetwork` or a
# `hostPort` (most do not, and the computation is not free).
own_bindings := pp.bindings_of(input, input_declared_ports) if may_bind_host_ports

may_bind_host_ports if pod_spec.hostNetwork == true

may_bind_host_ports if {
	some field in ["containers", "initContainers"]
	is_array(pod_spec[field])
	some container in pod_spec[field]
	is_array(container.ports)
	some port in container.ports
	port.hostPort
}

# The host port numbers the input binds.
own_host_ports := {b.host_port | some b in own_bindings}

# Host ports bound by every other workload of the run, all namespaces. Evaluated only for a
# workload that binds host ports itself. This scans the run, so a cheap test on the raw pod
# spec (a port that could bind one of our host port numbers) comes before anything else.
# Workloads elsewhere in the run that may bind one of our host ports: the index lists them by
# hostPort, and by containerPort under hostNetwork.
foreign_bindings contains {"binding": binding, "object": other.ref} if {
	index := data.rampart.index
	some port in own_host_ports
	some other in index.host_ports[port]
	not self(other.ref.namespace, other.ref.apiVersion, other.ref.kind, other.ref.name)
	# `pp.host_bindings(other.value)`, which the index holds: read there once per workload.
	some binding in other.bindings
}

same_host_port(a, b) if {
	a.host_port == b.host_port
	a.protocol == b.protocol
	pp.ips_overlap(a.host_ip, b.host_ip)
}

same_container_port(a, b) if {
	a.number == b.number
	a.protocol == b.protocol
}

self(ns, api_version, kind, name) if {
	ns == namespace
	api_version == input.apiVersion
	kind == input.kind
	name == input.metadata.name
}
