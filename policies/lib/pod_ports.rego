# Helpers for checks that look at the pods of any workload object, not only `input` (objects of
# `data.inventory` included): the pod spec and its path, the pod template's labels, the
# containers that run side by side (regular containers and sidecars), their declared ports and
# the host ports they bind.
package rampart.lib.pod_ports

import rego.v1

# Path from the object root to the pod spec, per workload kind. The keys are the workload
# kinds. (This library imports nothing: with regorus, a function that goes through an import
# alias fails once a rule of its own package has been evaluated from another package.)
spec_paths_by_kind := {
	"Pod": ["spec"],
	"Deployment": ["spec", "template", "spec"],
	"StatefulSet": ["spec", "template", "spec"],
	"DaemonSet": ["spec", "template", "spec"],
	"ReplicaSet": ["spec", "template", "spec"],
	"ReplicationController": ["spec", "template", "spec"],
	"Job": ["spec", "template", "spec"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
}

# Path to the labels a workload's pods carry (the object's own labels for a Pod).
labels_paths_by_kind := {
	"Pod": ["metadata", "labels"],
	"Deployment": ["spec", "template", "metadata", "labels"],
	"StatefulSet": ["spec", "template", "metadata", "labels"],
	"DaemonSet": ["spec", "template", "metadata", "labels"],
	"ReplicaSet": ["spec", "template", "metadata", "labels"],
	"ReplicationController": ["spec", "template", "metadata", "labels"],
	"Job": ["spec", "template", "metadata", "labels"],
	"CronJob": ["spec", "jobTemplate", "spec", "template", "metadata", "labels"],
}

# Path from an object's root to its pod spec; undefined when the object is not a workload.
pod_spec_path(obj) := spec_paths_by_kind[obj.kind]

pod_spec(obj) := object.get(obj, pod_spec_path(obj), {})

# The labels an object's pods carry; undefined when the object is not a workload.
pod_labels(obj) := object.get(obj, labels_paths_by_kind[obj.kind], {})

# A container's name for messages.
name(container) := container.name if is_string(container.name)

name(container) := "<unnamed>" if not is_string(container.name)

# Does the pod share the node's network namespace?
host_network(obj) if pod_spec(obj).hostNetwork == true

# The containers that run side by side in a pod and can listen: regular containers and
# sidecars (init containers with `restartPolicy: Always`). Plain init containers run one at a
# time before them. Each is {"container", "path", "name"}.
serving_containers(obj) := {c |
	spec_path := pod_spec_path(obj)
	spec := pod_spec(obj)
	some field in ["containers", "initContainers"]
	is_array(spec[field])
	some i, container in spec[field]
	serves(field, container)
	c := {"container": container, "path": array.concat(spec_path, [field, i]), "name": name(container)}
}

serves(field, _) if field == "containers"

serves(field, container) if {
	field == "initContainers"
	container.restartPolicy == "Always"
}

# A port entry's protocol (Kubernetes defaults it to TCP).
protocol(port) := port.protocol if is_string(port.protocol)

protocol(port) := "TCP" if not is_string(port.protocol)

# Every `containerPort` the serving containers declare, as {"container" (its name),
# "container_path", "path" (to the port entry), "number", "protocol", "name" (or null)}.
declared_ports(obj) := {p |
	some c in serving_containers(obj)
	is_array(c.container.ports)
	some j, port in c.container.ports
	is_number(port.containerPort)
	p := {
		"container": c.name,
		"container_path": c.path,
		"path": array.concat(c.path, ["ports", j]),
		"number": port.containerPort,
		"protocol": protocol(port),
		"name": object.get(port, "name", null),
		"entry": port,
	}
}

# The host ports a pod binds: every `hostPort`, and with `hostNetwork: true` every container
# port (there the container port is the host port). Each is a declared port (above) plus
# "host_port", "host_ip" ("" when unset: every address) and "field" (the key that sets the
# host port).
host_bindings(obj) := bindings_of(obj, declared_ports(obj))

# The host bindings of `ports`, declared ports of `obj`.
bindings_of(obj, ports) := {b |
	some p in ports
	b := binding(obj, p)
}

# `declared_ports(input)`. On the RVM rampart computes it once per resource in Rust and gives
# it at `data.rampart.facts.declared_ports` (src/policy/facts.rs: an array in list order, which
# a test holds alike to this set); elsewhere (the interpreter, Rego tests) it is computed here.
input_declared_ports := data.rampart.facts.declared_ports if is_array(data.rampart.facts.declared_ports)

input_declared_ports := declared_ports(input) if not is_array(data.rampart.facts.declared_ports)

binding(obj, p) := object.union(p, {"host_port": host_port, "host_ip": host_ip, "field": "hostPort"}) if {
	not host_network(obj)
	host_port := p.entry.hostPort
	is_number(host_port)
	host_port > 0
	host_ip := ip(p.entry)
}

binding(obj, p) := object.union(p, {"host_port": host_port, "host_ip": "", "field": field}) if {
	host_network(obj)
	[host_port, field] := network_port(p)
}

network_port(p) := [p.entry.hostPort, "hostPort"] if sets_host_port(p)

network_port(p) := [p.number, "containerPort"] if not sets_host_port(p)

# The port entry sets a usable `hostPort` (a number above 0).
sets_host_port(p) if {
	is_number(p.entry.hostPort)
	p.entry.hostPort > 0
}

ip(port) := port.hostIP if is_string(port.hostIP)

ip(port) := "" if not is_string(port.hostIP)

# Do two host IPs share an address? An unset `hostIP` or `0.0.0.0` binds every address (the
# scheduler treats it as conflicting with every hostIP); `::` overlaps every IPv6 address.
ips_overlap(a, b) if a == b

ips_overlap(a, _) if wildcard(a)

ips_overlap(_, b) if wildcard(b)

ips_overlap(a, b) if {
	a == "::"
	contains(b, ":")
}

ips_overlap(a, b) if {
	b == "::"
	contains(a, ":")
}

wildcard(ip) if ip in {"", "0.0.0.0"}

# "8080/TCP", "10.0.0.1:8080/UDP", "[fd00::1]:53/UDP" for messages.
host_port_text(b) := sprintf("%v/%s", [b.host_port, b.protocol]) if wildcard(b.host_ip)

host_port_text(b) := sprintf("[%s]:%v/%s", [b.host_ip, b.host_port, b.protocol]) if {
	not wildcard(b.host_ip)
	ipv6(b.host_ip)
}

host_port_text(b) := sprintf("%s:%v/%s", [b.host_ip, b.host_port, b.protocol]) if {
	not wildcard(b.host_ip)
	not ipv6(b.host_ip)
}

# An IPv6 address (it has a colon), which messages write in brackets before the port.
ipv6(ip) if contains(ip, ":")

# A declared port for messages: "8080/http", "9090", "53/dns (UDP)", "53 (UDP)".
port_text(p) := concat("", [sprintf("%v", [p.number]), name_suffix(p), protocol_suffix(p)])

name_suffix(p) := sprintf("/%s", [p.name]) if is_string(p.name)

name_suffix(p) := "" if not is_string(p.name)

protocol_suffix(p) := "" if tcp(p)

protocol_suffix(p) := sprintf(" (%s)", [p.protocol]) if not tcp(p)

# The port is a TCP port (the default, which messages leave out).
tcp(p) if p.protocol == "TCP"
