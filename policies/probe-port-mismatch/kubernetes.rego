# METADATA
# description: |
#   An `httpGet`, `tcpSocket` or `grpc` liveness, readiness or startup probe of a container
#   whose `port` the container does not declare in its `ports`: a number that is no
#   `containerPort`, or a name that is no port's `name`. A quoted number (`port: "8080"`) is a
#   string, and Kubernetes reads a string as a port name, so it must match a `name`. A
#   numeric port is reported only when the container declares ports and not that one: a
#   container that declares none (declaring is informational) is probed on the port the
#   application serves, and the probe works. A named port that resolves to nothing is always
#   reported, whether or not the container declares ports. `hostNetwork` pods are
#   compared the same way (their container ports are the host's ports). `exec` probes have no
#   port and are not checked, nor are init and ephemeral containers.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
#     description: Configure Liveness, Readiness and Startup Probes
#   - ref: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports
#     description: "Container ports (Pod v1 API reference)"
# custom:
#   targets: [workload]
#   why: |
#     a probe on a port the application does not serve fails forever: the
#     container is restarted in a loop (liveness, startup) or never receives traffic
#     (readiness). A named port the container does not declare cannot be resolved at all, and
#     an undeclared numeric port usually means the probe and the application disagree.
#   remediation: |
#     Declare the port the application listens on in the container's `ports` with a `name`
#     (`- name: http`, `containerPort: 8080`) and probe it by that name (`port: http`), so the
#     probe follows the port when it changes. Write numeric ports unquoted.
package rampart.checks.probe_port_mismatch.kubernetes

import rego.v1

import data.rampart.lib.kubernetes as k8s
import data.rampart.lib.kubernetes.regular_containers
import data.rampart.lib.numbers

# Iterating the container's own keys is cheaper in regorus than looking up every probe and
# handler name.
deny contains {"msg": msg, "path": array.concat(c.path, [probe, handler, "port"])} if {
	some c in regular_containers
	# Each function call costs the RVM thousands of machine instructions: the ports are read once
	# per container, and a port that is neither a number nor a string is left out by
	# `reportable` (both its definitions test the type) rather than by a call of its own.
	declared_ports := ports(c.container)
	# The three probe names and three handlers are looked up, not every key of the container
	# and probe iterated and tested against a set.
	some probe in ["livenessProbe", "readinessProbe", "startupProbe"]
	# `=`, not `:=`: on regorus's RVM a `:=` of an undefined value does not end the body.
	spec = c.container[probe]
	is_object(spec)
	some handler in ["httpGet", "tcpSocket", "grpc"]
	port = spec[handler].port
	not declared(declared_ports, port)
	reportable(declared_ports, port)
	msg := message(probe, c.container, port)
}

# A numeric port works whether or not the container declares it (declaring is informational):
# it is suspect only when the container lists its ports and this one is not among them. A
# named port must resolve to a declared name, or the probe always fails.
reportable(_, port) if is_string(port)

reportable(declared_ports, port) if {
	is_number(port)
	count(declared_ports) > 0
}

declared(declared_ports, port) if {
	is_number(port)
	some p in declared_ports
	p.containerPort == port
}

declared(declared_ports, port) if {
	is_string(port)
	some p in declared_ports
	p.name == port
}

ports(container) := container.ports if is_array(container.ports)

ports(container) := [] if not is_array(container.ports)

message(probe, container, port) := sprintf("%s of container `%s` probes port %s, but the container declares no ports", [probe, k8s.name(container), show(port)]) if {
	declares_no_ports(container)
}

message(probe, container, port) := sprintf("%s of container `%s` probes port %s, which the container does not declare", [probe, k8s.name(container), show(port)]) if {
	not declares_no_ports(container)
	is_number(port)
}

message(probe, container, port) := sprintf("%s of container `%s` probes port %s, but no port of the container has that name", [probe, k8s.name(container), show(port)]) if {
	not declares_no_ports(container)
	not is_number(port)
}

# The container's `ports` is missing, not a list, or empty.
declares_no_ports(container) if count(ports(container)) == 0

show(port) := sprintf("%v", [port]) if is_number(port)

show(port) := sprintf("\"%s\" (a quoted number, which Kubernetes reads as a port name)", [port]) if {
	not is_number(port)
	numbers.natural(port)
}

show(port) := sprintf("`%s`", [port]) if {
	not is_number(port)
	not numbers.natural(port)
}
