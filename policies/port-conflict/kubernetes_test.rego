package rampart.checks.port_conflict.kubernetes_test

import rego.v1

import data.rampart.checks.port_conflict.kubernetes as check

service(name, ns, ports) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"type": "NodePort", "ports": ports},
}

inventory(services) := {"namespace": {ns: {"v1": {"Service": {s.metadata.name: s |
	some s in services
	s.metadata.namespace == ns
}}} |
	some svc in services
	ns := svc.metadata.namespace
}}

a := service("a", "shop", [{"port": 80, "nodePort": 30080}])

b := service("b", "billing", [{"port": 8080}, {"port": 443, "nodePort": 30080}])

c := service("c", "shop", [{"port": 80, "nodePort": 30081}])

test_same_node_port_in_two_namespaces if {
	results := check.deny with input as a with data.inventory as inventory([a, b, c])
	count(results) == 1
	some r in results
	r.path == ["spec", "ports", 0, "nodePort"]
	r.related[0].object == {"apiVersion": "v1", "kind": "Service", "name": "b", "namespace": "billing"}
	r.related[0].path == ["spec", "ports", 1, "nodePort"]
}

test_both_sides_are_reported if {
	results := check.deny with input as b with data.inventory as inventory([a, b, c])
	count(results) == 1
}

test_distinct_node_ports if {
	count(check.deny) == 0 with input as c with data.inventory as inventory([a, c])
}

test_a_service_does_not_conflict_with_itself if {
	count(check.deny) == 0 with input as a with data.inventory as inventory([a])
}
