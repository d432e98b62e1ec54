package rampart.checks.port_conflict.kubernetes_test

import rego.v1

import data.rampart.checks.port_conflict.kubernetes as check

# Builds data.inventory from objects (all namespaced, with metadata.namespace set).
inventory(objects) := {"namespace": {ns: by_api(objects, ns) | some obj in objects; ns := obj.metadata.namespace}}

by_api(objects, ns) := {api: by_kind(objects, ns, api) |
	some obj in objects
	obj.metadata.namespace == ns
	api := obj.apiVersion
}

by_kind(objects, ns, api) := {kind: {obj.metadata.name: obj |
	some obj in objects
	obj.metadata.namespace == ns
	obj.apiVersion == api
	obj.kind == kind
} |
	some item in objects
	item.metadata.namespace == ns
	item.apiVersion == api
	kind := item.kind
}

# ---------------------------------------------------------------- (c) nodePort across Services

service(name, ns, ports) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"type": "NodePort", "ports": ports},
}

a := service("a", "shop", [{"port": 80, "nodePort": 30080}])

b := service("b", "billing", [{"port": 8080}, {"port": 443, "nodePort": 30080}])

c := service("c", "shop", [{"port": 80, "nodePort": 30081}])

test_same_node_port_in_two_namespaces if {
	results := check.deny with input as a with data.inventory as inventory([a, b, c]) with data.rampart.index as rampart.inventory_index(inventory([a, b, c]))
	count(results) == 1
	some r in results
	r.path == ["spec", "ports", 0, "nodePort"]
	r.msg == "nodePort 30080 is also used by Service billing/b"
	r.related[0].object == {"apiVersion": "v1", "kind": "Service", "name": "b", "namespace": "billing"}
	r.related[0].path == ["spec", "ports", 1, "nodePort"]
}

test_both_sides_are_reported if {
	results := check.deny with input as b with data.inventory as inventory([a, b, c]) with data.rampart.index as rampart.inventory_index(inventory([a, b, c]))
	count(results) == 1
	some r in results
	r.path == ["spec", "ports", 1, "nodePort"]
	r.related[0].object.name == "a"
}

test_distinct_node_ports if {
	count(check.deny) == 0 with input as a with data.inventory as inventory([a, c]) with data.rampart.index as rampart.inventory_index(inventory([a, c]))
}

test_node_port_zero_is_unset_not_a_claim if {
	x := service("x", "shop", [{"port": 80, "nodePort": 0}])
	y := service("y", "billing", [{"port": 81, "nodePort": 0}])
	count(check.deny) == 0 with input as x with data.inventory as inventory([x, y]) with data.rampart.index as rampart.inventory_index(inventory([x, y]))
}

test_a_service_does_not_conflict_with_itself if {
	count(check.deny) == 0 with input as a with data.inventory as inventory([a]) with data.rampart.index as rampart.inventory_index(inventory([a]))
}

test_a_crowded_node_port_names_and_relates_the_first_ten_others if {
	crowd := [service(sprintf("s%02d", [i]), "shop", [{"port": 80, "nodePort": 30090}]) | some i in numbers.range(0, 12)]
	results := check.deny with input as crowd[0] with data.inventory as inventory(crowd) with data.rampart.index as rampart.inventory_index(inventory(crowd))
	count(results) == 1
	some r in results
	r.msg == "nodePort 30090 is also used by Service shop/s01, Service shop/s02, Service shop/s03, Service shop/s04, Service shop/s05, Service shop/s06, Service shop/s07, Service shop/s08, Service shop/s09, Service shop/s10 and 2 more"
	count(r.related) == 10
	r.related[9].object.name == "s10"
}

test_node_port_used_by_two_others_gives_one_finding_with_both_related if {
	d := service("d", "ops", [{"port": 81, "nodePort": 30080}])
	results := check.deny with input as a with data.inventory as inventory([a, b, d]) with data.rampart.index as rampart.inventory_index(inventory([a, b, d]))
	count(results) == 1
	some r in results
	r.msg == "nodePort 30080 is also used by Service billing/b, Service ops/d"
	count(r.related) == 2
	{x.object.name | some x in r.related} == {"b", "d"}
}

test_node_port_default_namespace_self if {
	# An object without metadata.namespace is in the default namespace: still itself.
	bare := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 80, "nodePort": 30080}]}}
	count(check.deny) == 0 with input as bare
		with data.inventory as {"namespace": {"default": {"v1": {"Service": {"a": bare}}}}} with data.rampart.index as rampart.inventory_index({"namespace": {"default": {"v1": {"Service": {"a": bare}}}}})
		with data.rampart.params as {"default-namespace": "default"}
}

# ---------------------------------------------------------------- (b) duplicate Service ports

test_service_port_listed_twice if {
	svc := service("s", "shop", [
		{"name": "http", "port": 80, "targetPort": 8080},
		{"name": "metrics", "port": 9090},
		{"name": "web", "port": 80, "targetPort": 8081},
	])
	results := check.deny with input as svc with data.inventory as inventory([svc]) with data.rampart.index as rampart.inventory_index(inventory([svc]))
	count(results) == 1
	some r in results
	r.path == ["spec", "ports", 2, "port"]
	r.msg == "port 80/TCP is listed twice in this Service (first as `http`)"
	r.related == [{"msg": "port 80/TCP first listed here", "path": ["spec", "ports", 0, "port"]}]
}

test_service_port_every_later_duplicate_points_at_the_first if {
	svc := service("s", "shop", [{"port": 53, "protocol": "TCP"}, {"port": 53, "protocol": "TCP"}, {"port": 53}])
	results := check.deny with input as svc with data.inventory as inventory([svc]) with data.rampart.index as rampart.inventory_index(inventory([svc]))
	{[r.path, r.related[0].path] | some r in results} == {
		[["spec", "ports", 1, "port"], ["spec", "ports", 0, "port"]],
		[["spec", "ports", 2, "port"], ["spec", "ports", 0, "port"]],
	}
	every r in results {
		r.msg == "port 53/TCP is listed twice in this Service"
	}
}

test_service_same_port_other_protocol_is_fine if {
	svc := service("dns", "kube-system", [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "dns-tcp", "port": 53}])
	count(check.deny) == 0 with input as svc with data.inventory as inventory([svc]) with data.rampart.index as rampart.inventory_index(inventory([svc]))
}

# ---------------------------------------------------------------- (a) containerPort in one pod

deployment(name, ns, spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": spec}},
}

test_two_containers_same_container_port if {
	w := deployment("web", "shop", {"containers": [
		{"name": "app", "ports": [{"containerPort": 8080}]},
		{"name": "proxy", "ports": [{"containerPort": 9000}, {"containerPort": 8080, "protocol": "TCP"}]},
	]})
	results := check.deny with input as w with data.inventory as inventory([w]) with data.rampart.index as rampart.inventory_index(inventory([w]))
	count(results) == 2
	{[r.path, r.msg, r.related[0].path] | some r in results} == {
		[
			["spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"],
			"containerPort 8080/TCP of container `app` is also declared by container `proxy`",
			["spec", "template", "spec", "containers", 1, "ports", 1, "containerPort"],
		],
		[
			["spec", "template", "spec", "containers", 1, "ports", 1, "containerPort"],
			"containerPort 8080/TCP of container `proxy` is also declared by container `app`",
			["spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"],
		],
	}
}

test_same_container_port_other_protocol_is_fine if {
	w := deployment("dns", "shop", {"containers": [
		{"name": "udp", "ports": [{"containerPort": 53, "protocol": "UDP"}]},
		{"name": "tcp", "ports": [{"containerPort": 53}]},
	]})
	count(check.deny) == 0 with input as w with data.inventory as inventory([w]) with data.rampart.index as rampart.inventory_index(inventory([w]))
}

test_sidecar_conflicts_with_container if {
	w := deployment("web", "shop", {
		"initContainers": [{"name": "mesh", "restartPolicy": "Always", "ports": [{"containerPort": 15001}]}],
		"containers": [{"name": "app", "ports": [{"containerPort": 15001}]}],
	})
	results := check.deny with input as w with data.inventory as inventory([w]) with data.rampart.index as rampart.inventory_index(inventory([w]))
	{r.path | some r in results} == {
		["spec", "template", "spec", "initContainers", 0, "ports", 0, "containerPort"],
		["spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"],
	}
}

test_plain_init_container_does_not_conflict if {
	w := deployment("web", "shop", {
		"initContainers": [{"name": "warmup", "ports": [{"containerPort": 8080}]}],
		"containers": [{"name": "app", "ports": [{"containerPort": 8080}]}],
	})
	count(check.deny) == 0 with input as w with data.inventory as inventory([w]) with data.rampart.index as rampart.inventory_index(inventory([w]))
}

test_three_containers_one_finding_each_with_two_related if {
	w := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"containers": [
		{"name": "a", "ports": [{"containerPort": 80}]},
		{"name": "b", "ports": [{"containerPort": 80}]},
		{"name": "c", "ports": [{"containerPort": 80}]},
	]}}
	results := check.deny with input as w with data.inventory as inventory([w]) with data.rampart.index as rampart.inventory_index(inventory([w]))
	count(results) == 3
	some r in results
	r.path == ["spec", "containers", 0, "ports", 0, "containerPort"]
	r.msg == "containerPort 80/TCP of container `a` is also declared by container `b`, container `c`"
	[x.path | some x in r.related] == [["spec", "containers", 1, "ports", 0, "containerPort"], ["spec", "containers", 2, "ports", 0, "containerPort"]]
}

test_same_container_declares_a_port_twice if {
	w := deployment("web", "shop", {"containers": [{"name": "app", "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 80, "name": "web"}]}]})
	results := check.deny with input as w with data.inventory as inventory([w]) with data.rampart.index as rampart.inventory_index(inventory([w]))
	count(results) == 2
	every r in results {
		r.msg == "containerPort 80/TCP of container `app` is also declared by another entry of the same container"
	}
}

test_cronjob_pod_ports if {
	w := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "j", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [
		{"name": "a", "ports": [{"containerPort": 80}]},
		{"name": "b", "ports": [{"containerPort": 80}]},
	]}}}}}}
	results := check.deny with input as w with data.inventory as inventory([w]) with data.rampart.index as rampart.inventory_index(inventory([w]))
	some r in results
	r.path == ["spec", "jobTemplate", "spec", "template", "spec", "containers", 1, "ports", 0, "containerPort"]
}

# ---------------------------------------------------------------- (d) host ports

daemonset(name, ns, spec) := {
	"apiVersion": "apps/v1",
	"kind": "DaemonSet",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"template": {"metadata": {"labels": {"app": name}}, "spec": spec}},
}

agent := daemonset("agent", "monitoring", {"containers": [{"name": "agent", "ports": [{"containerPort": 8125, "hostPort": 8125, "protocol": "UDP"}, {"containerPort": 9100, "hostPort": 9100}]}]})

exporter := daemonset("exporter", "kube-system", {"hostNetwork": true, "containers": [{"name": "node-exporter", "ports": [{"containerPort": 9100}]}]})

test_host_port_conflict_across_namespaces_with_host_network if {
	results := check.deny with input as agent with data.inventory as inventory([agent, exporter]) with data.rampart.index as rampart.inventory_index(inventory([agent, exporter]))
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "ports", 1, "hostPort"]
	r.msg == "host port 9100/TCP of container `agent` is also bound by DaemonSet kube-system/exporter (container `node-exporter`)"
	r.related == [{
		"msg": "host port 9100/TCP also bound here by container `node-exporter`",
		"path": ["spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"],
		"object": {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "exporter", "namespace": "kube-system"},
	}]
}

test_a_crowded_host_port_names_and_relates_the_first_ten_others if {
	# Two containers of the input's own pod and eleven other workloads bind 9300: the two of
	# the pod come first, then eight of the others.
	own := deployment("own", "shop", {"containers": [
		{"name": "a", "ports": [{"containerPort": 1, "hostPort": 9300}]},
		{"name": "b", "ports": [{"containerPort": 2, "hostPort": 9300}]},
		{"name": "c", "ports": [{"containerPort": 3, "hostPort": 9300}]},
	]})
	crowd := [deployment(sprintf("w%02d", [i]), "shop", {"containers": [{"name": "x", "ports": [{"containerPort": 80, "hostPort": 9300}]}]}) | some i in numbers.range(0, 10)]
	objects := array.concat([own], crowd)
	results := check.deny with input as own with data.inventory as inventory(objects) with data.rampart.index as rampart.inventory_index(inventory(objects))
	count(results) == 3
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "ports", 0, "hostPort"]
	r.msg == "host port 9300/TCP of container `a` is also bound by Deployment shop/w00 (container `x`), Deployment shop/w01 (container `x`), Deployment shop/w02 (container `x`), Deployment shop/w03 (container `x`), Deployment shop/w04 (container `x`), Deployment shop/w05 (container `x`), Deployment shop/w06 (container `x`), Deployment shop/w07 (container `x`), container `b`, container `c` and 3 more"
	count(r.related) == 10
	not r.related[0].object
	r.related[2].object.name == "w00"
}

test_host_network_side_is_reported_too if {
	results := check.deny with input as exporter with data.inventory as inventory([agent, exporter]) with data.rampart.index as rampart.inventory_index(inventory([agent, exporter]))
	count(results) == 1
	some r in results
	r.path == ["spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"]
	r.related[0].path == ["spec", "template", "spec", "containers", 0, "ports", 1, "hostPort"]
	r.related[0].object.name == "agent"
}

test_host_port_protocol_must_match if {
	other := deployment("statsd", "shop", {"containers": [{"name": "statsd", "ports": [{"containerPort": 8125, "hostPort": 8125}]}]})
	count(check.deny) == 0 with input as other with data.inventory as inventory([agent, other]) with data.rampart.index as rampart.inventory_index(inventory([agent, other]))
}

test_host_port_distinct_host_ips_do_not_conflict if {
	one := deployment("one", "shop", {"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 80, "hostIP": "10.0.0.1"}]}]})
	two := deployment("two", "shop", {"containers": [{"name": "b", "ports": [{"containerPort": 80, "hostPort": 80, "hostIP": "10.0.0.2"}]}]})
	count(check.deny) == 0 with input as one with data.inventory as inventory([one, two]) with data.rampart.index as rampart.inventory_index(inventory([one, two]))
}

test_host_port_wildcard_overlaps_specific_ip if {
	one := deployment("one", "shop", {"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 80, "hostIP": "10.0.0.1"}]}]})
	two := deployment("two", "shop", {"containers": [{"name": "b", "ports": [{"containerPort": 8080, "hostPort": 80, "hostIP": "0.0.0.0"}]}]})
	results := check.deny with input as one with data.inventory as inventory([one, two]) with data.rampart.index as rampart.inventory_index(inventory([one, two]))
	some r in results
	r.msg == "host port 10.0.0.1:80/TCP of container `a` is also bound by Deployment shop/two (container `b`)"
	results2 := check.deny with input as two with data.inventory as inventory([one, two]) with data.rampart.index as rampart.inventory_index(inventory([one, two]))
	count(results2) == 1
}

test_host_port_every_other_side_is_related if {
	one := deployment("one", "a", {"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 80}]}]})
	two := deployment("two", "b", {"containers": [{"name": "b", "ports": [{"containerPort": 80, "hostPort": 80}]}]})
	three := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "three", "namespace": "c"}, "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 81, "hostPort": 80}]}]}}
	results := check.deny with input as three with data.inventory as inventory([one, two, three]) with data.rampart.index as rampart.inventory_index(inventory([one, two, three]))
	count(results) == 1
	some r in results
	r.path == ["spec", "containers", 0, "ports", 0, "hostPort"]
	r.msg == "host port 80/TCP of container `c` is also bound by Deployment a/one (container `a`), Deployment b/two (container `b`)"
	{x.object.name | some x in r.related} == {"one", "two"}
}

test_host_port_twice_in_one_pod if {
	w := deployment("web", "shop", {"containers": [
		{"name": "a", "ports": [{"containerPort": 80, "hostPort": 8080}]},
		{"name": "b", "ports": [{"containerPort": 81, "hostPort": 8080}]},
	]})
	results := check.deny with input as w with data.inventory as inventory([w]) with data.rampart.index as rampart.inventory_index(inventory([w]))
	{[r.path, r.related[0].path] | some r in results} == {
		[["spec", "template", "spec", "containers", 0, "ports", 0, "hostPort"], ["spec", "template", "spec", "containers", 1, "ports", 0, "hostPort"]],
		[["spec", "template", "spec", "containers", 1, "ports", 0, "hostPort"], ["spec", "template", "spec", "containers", 0, "ports", 0, "hostPort"]],
	}
	every r in results {
		not r.related[0].object
	}
}

test_same_container_and_host_port_in_one_pod_reported_once_per_entry if {
	# The containerPort clash (a) already covers it; no second finding on the hostPort.
	w := deployment("web", "shop", {"containers": [
		{"name": "a", "ports": [{"containerPort": 80, "hostPort": 8080}]},
		{"name": "b", "ports": [{"containerPort": 80, "hostPort": 8080}]},
	]})
	results := check.deny with input as w with data.inventory as inventory([w]) with data.rampart.index as rampart.inventory_index(inventory([w]))
	count(results) == 2
	every r in results {
		r.path[count(r.path) - 1] == "containerPort"
	}
}

test_a_workload_does_not_conflict_with_itself if {
	count(check.deny) == 0 with input as agent with data.inventory as inventory([agent]) with data.rampart.index as rampart.inventory_index(inventory([agent]))
}

test_no_host_port_no_finding if {
	w := deployment("web", "shop", {"containers": [{"name": "a", "ports": [{"containerPort": 9100}]}]})
	count(check.deny) == 0 with input as w with data.inventory as inventory([w, exporter]) with data.rampart.index as rampart.inventory_index(inventory([w, exporter]))
}

test_ipv6_any_overlaps_ipv6_address if {
	one := deployment("one", "shop", {"containers": [{"name": "a", "ports": [{"containerPort": 53, "hostPort": 53, "protocol": "UDP", "hostIP": "::"}]}]})
	two := deployment("two", "shop", {"containers": [{"name": "b", "ports": [{"containerPort": 53, "hostPort": 53, "protocol": "UDP", "hostIP": "fd00::10"}]}]})
	three := deployment("three", "shop", {"containers": [{"name": "c", "ports": [{"containerPort": 53, "hostPort": 53, "protocol": "UDP", "hostIP": "10.0.0.1"}]}]})
	results := check.deny with input as one with data.inventory as inventory([one, two, three]) with data.rampart.index as rampart.inventory_index(inventory([one, two, three]))
	count(results) == 1
	some r in results
	r.msg == "host port [::]:53/UDP of container `a` is also bound by Deployment shop/two (container `b`)"
}

test_non_workloads_are_ignored if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "namespace": "shop"}, "data": {"ports": "80"}}
	count(check.deny) == 0 with input as cm with data.inventory as inventory([cm]) with data.rampart.index as rampart.inventory_index(inventory([cm]))
}
