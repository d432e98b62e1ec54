# METADATA
# description: |
#   A Service port whose `targetPort` matches no container port of the workloads the
#   Service selects. A number matches a `containerPort`, a name matches a container port's
#   `name`, and the protocol must match too (TCP when unset), as the endpoints controller
#   resolves it. An absent `targetPort` defaults to the Service `port`. The containers are
#   the pod's regular containers and its sidecars (init containers with
#   `restartPolicy: Always`). A number is not reported when a selected workload declares no
#   ports at all: declaring container ports is informational, and the traffic reaches the
#   port the application serves. A name must always resolve.
#
#   The selected workloads are those of the Service's namespace whose pod template labels
#   the Service's `selector` matches. A Service without a selector (or with an empty one),
#   an `ExternalName` Service, or one whose selector matches no workload of the run is not
#   reported: its endpoints are managed elsewhere, or its pods are not part of the run.
#   The selected workloads are related locations, with the ports they declare (the first ten
#   in the order of their apiVersion, kind and name: a Service that selects hundreds gives a
#   finding of ten).
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
#     description: "Defining a Service: targetPort and named ports"
#   - ref: https://kubernetes.io/docs/reference/kubernetes-api/service-resources/service-v1/#ServiceSpec
#     description: "ServiceSpec: ports[].targetPort"
# custom:
#   targets: [Service]
#   why: |
#     a named `targetPort` that no pod declares leaves the Service without
#     endpoints, and a number that no container declares usually means traffic goes to a
#     port nothing listens on. Either way clients get connection errors while every object
#     applies cleanly.
#   remediation: |
#     Point `targetPort` at a port the selected containers declare, preferably by name
#     (`targetPort: http` with `ports: [{name: http, containerPort: 8080}]` in the pod
#     template), or declare the port in the container. Check that the protocols agree.
package rampart.checks.unresolved_target_port.kubernetes

import rego.v1

import data.rampart.lib.pod_ports as pp
import data.rampart.lib.selectors
import data.rampart.lib.kubernetes.namespace
import data.rampart.lib.numbers
import data.rampart.lib.pod_ports.labels_paths_by_kind
import data.rampart.lib.pod_ports.spec_paths_by_kind
import data.rampart.lib.text

deny contains {
	"msg": message(port, target, protocol),
	"path": target_path(i, port),
	"related": [{
		"msg": sprintf("selects %s %s/%s, whose containers declare %s", [w.object.kind, w.object.namespace, w.object.name, ports_text(w.ports)]),
		"path": w.path,
		"object": w.object,
	} |
		some w in text.first(selected, 0)
	],
} if {
	input.kind == "Service"
	count(selected) > 0
	is_array(input.spec.ports)
	some i, port in input.spec.ports
	target := target_port(port)
	protocol := pp.protocol(port)
	not resolved(target, protocol)
}

# The workloads of the Service's namespace whose pods the selector matches, each with its
# declared ports and the path to its containers. This scans the namespace for every Service,
# so the labels are read by path and compared before anything else is computed.
# The workloads whose pods this Service selects. On the RVM rampart reads them from the unit's
# index, once per workload however many Services select it, and gives them at
# `data.rampart.facts.selected_workloads` (src/policy/facts.rs); elsewhere they are computed here.
selected := data.rampart.facts.selected_workloads if is_set(data.rampart.facts.selected_workloads)

selected := computed_selected if not is_set(data.rampart.facts.selected_workloads)

computed_selected contains {
	"object": {"apiVersion": api_version, "kind": kind, "name": name, "namespace": ns},
	"ports": {{"number": p.number, "name": p.name, "protocol": p.protocol} | some p in pp.declared_ports(obj)},
	"path": array.concat(spec_paths_by_kind[kind], ["containers"]),
} if {
	object.get(input.spec, "type", "ClusterIP") != "ExternalName"
	selector := input.spec.selector
	is_object(selector)
	count(selector) > 0
	match := {"matchLabels": selector}
	ns := namespace
	# Candidates: the workloads whose pods carry one of the selector's labels.
	index := data.rampart.index
	some key, value in selector
	some candidate in index.pods[ns][key][value]
	[api_version, kind, name, obj] := [candidate.ref.apiVersion, candidate.ref.kind, candidate.ref.name, candidate.value]
	selectors.matches(match, object.get(obj, labels_paths_by_kind[kind], {}))
}

# The port a Service port sends to: its targetPort (a number, or a name; a string of digits
# counts as a number), else its port.
target_port(port) := port.targetPort if is_number(port.targetPort)

target_port(port) := to_number(port.targetPort) if numbers.natural(port.targetPort)

target_port(port) := port.targetPort if {
	is_string(port.targetPort)
	port.targetPort != ""
	not numbers.natural(port.targetPort)
}

target_port(port) := port.port if {
	not has_target_port(port)
	is_number(port.port)
}

# A targetPort that names or numbers a port (an empty string does not).
has_target_port(port) if is_number(port.targetPort)

has_target_port(port) if {
	is_string(port.targetPort)
	port.targetPort != ""
}

# What the selected workloads declare: `[number, protocol]` and `[name, protocol]` of each
# port, and "none" when one of them declares no port. On the RVM it comes with `selected`, at
# `data.rampart.facts.selected_ports`, so that a Service asks it in one lookup, not one per
# workload it selects.
declared := data.rampart.facts.selected_ports if is_set(data.rampart.facts.selected_ports)

declared := computed_declared if not is_set(data.rampart.facts.selected_ports)

computed_declared contains [p.number, p.protocol] if {
	some w in selected
	some p in w.ports
}

computed_declared contains [p.name, p.protocol] if {
	some w in selected
	some p in w.ports
	is_string(p.name)
}

computed_declared contains "none" if {
	some w in selected
	count(w.ports) == 0
}

# A number is a containerPort, a string a port's name (declared ports' numbers are numbers).
resolved(target, protocol) if {
	is_number(target)
	[target, protocol] in declared
}

# A numeric port reaches a container that declares no ports at all (declaring is
# informational), as for probes: only a workload that lists its ports and not this one is
# suspect.
resolved(target, _) if {
	is_number(target)
	"none" in declared
}

resolved(target, protocol) if {
	is_string(target)
	[target, protocol] in declared
}

target_path(i, port) := ["spec", "ports", i, "targetPort"] if port.targetPort

target_path(i, port) := ["spec", "ports", i] if not port.targetPort

message(port, target, protocol) := sprintf("targetPort %s of port %v/%s matches no container port of the selected workloads", [target_text(target), port.port, protocol]) if {
	port.targetPort
}

message(port, target, protocol) := sprintf("port %v/%s has no targetPort, and no container of the selected workloads declares %v/%s", [port.port, protocol, target, protocol]) if {
	not port.targetPort
}

target_text(target) := sprintf("`%s`", [target]) if is_string(target)

target_text(target) := sprintf("%v", [target]) if not is_string(target)

ports_text(ports) := "no ports" if count(ports) == 0

ports_text(ports) := concat(", ", [text |
	some pair in sort([[p.number, pp.port_text(p)] | some p in ports])
	text := pair[1]
]) if count(ports) > 0
