# METADATA
# title: Port bound twice
# description: |
#   Two things claim the same port: two Services use the same `nodePort` (node ports are
#   allocated cluster-wide, so the second Service is rejected by the API server). Every side of
#   a conflict is reported, each with the others as related locations.
#
#   Why it matters: the second object fails to apply or silently takes traffic meant for the
#   first, and the failure shows up only at deploy time.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
#     description: "Service type NodePort"
# custom:
#   id: port-conflict
#   severity: high
#   family: ports
#   targets: [Service]
#   remediation: |
#     Give each Service its own `nodePort`, or leave `nodePort` out and let Kubernetes allocate
#     one; prefer a LoadBalancer or an Ingress in front of ClusterIP Services.
package rampart.checks.port_conflict.kubernetes

import rego.v1

import data.rampart.lib.kubernetes as k8s

# (c) the same nodePort in two Services, anywhere in the cluster.
deny contains {
	"msg": sprintf("nodePort %v is also used by Service %s/%s", [port.nodePort, ns, name]),
	"path": ["spec", "ports", i, "nodePort"],
	"related": [{
		"msg": sprintf("nodePort %v also used here", [port.nodePort]),
		"path": ["spec", "ports", j, "nodePort"],
		"object": {"apiVersion": api_version, "kind": "Service", "name": name, "namespace": ns},
	}],
} if {
	input.kind == "Service"
	some i, port in input.spec.ports
	is_number(port.nodePort)
	some ns, api_version, name
	other := data.inventory.namespace[ns][api_version].Service[name]
	not self(ns, name)
	some j, other_port in other.spec.ports
	other_port.nodePort == port.nodePort
}

self(ns, name) if {
	ns == k8s.namespace
	name == input.metadata.name
}
