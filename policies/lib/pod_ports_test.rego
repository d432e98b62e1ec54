package rampart.lib.pod_ports_test

import rego.v1

import data.rampart.lib.pod_ports as pp

deployment(spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}},
}

test_pod_spec_paths if {
	pp.pod_spec_path({"kind": "Pod"}) == ["spec"]
	pp.pod_spec_path({"kind": "CronJob"}) == ["spec", "jobTemplate", "spec", "template", "spec"]
	pp.pod_spec_path({"kind": "StatefulSet"}) == ["spec", "template", "spec"]
	not pp.pod_spec_path({"kind": "Service"})
}

test_pod_labels if {
	pp.pod_labels(deployment({})) == {"app": "web"}
	pp.pod_labels({"kind": "Pod", "metadata": {"labels": {"a": "b"}}}) == {"a": "b"}
	pp.pod_labels({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"c": "d"}}}}}}}) == {"c": "d"}
	pp.pod_labels({"kind": "Job", "spec": {}}) == {}
}

test_serving_containers_include_sidecars_only if {
	obj := deployment({
		"initContainers": [
			{"name": "migrate", "ports": [{"containerPort": 1}]},
			{"name": "proxy", "restartPolicy": "Always", "ports": [{"containerPort": 2}]},
		],
		"containers": [{"name": "app", "ports": [{"containerPort": 3, "protocol": "UDP", "name": "dns"}]}],
	})
	ports := pp.declared_ports(obj)
	{[p.container, p.number, p.protocol] | some p in ports} == {["proxy", 2, "TCP"], ["app", 3, "UDP"]}
	some p in ports
	p.container == "proxy"
	p.path == ["spec", "template", "spec", "initContainers", 1, "ports", 0]
	p.name == null
}

test_host_bindings_host_port_and_ip if {
	obj := deployment({"containers": [{"name": "app", "ports": [
		{"containerPort": 80, "hostPort": 8080, "hostIP": "10.0.0.1"},
		{"containerPort": 81},
	]}]})
	bindings := pp.host_bindings(obj)
	count(bindings) == 1
	some b in bindings
	b.host_port == 8080
	b.host_ip == "10.0.0.1"
	b.field == "hostPort"
}

test_host_network_binds_container_ports if {
	obj := deployment({"hostNetwork": true, "containers": [{"name": "app", "ports": [
		{"containerPort": 9100},
		{"containerPort": 9101, "hostPort": 9101, "hostIP": "10.0.0.1"},
	]}]})
	{[b.host_port, b.host_ip, b.field] | some b in pp.host_bindings(obj)} == {[9100, "", "containerPort"], [9101, "", "hostPort"]}
}

test_ips_overlap if {
	pp.ips_overlap("", "10.0.0.1")
	pp.ips_overlap("10.0.0.1", "0.0.0.0")
	pp.ips_overlap("0.0.0.0", "fd00::1")
	pp.ips_overlap("10.0.0.1", "10.0.0.1")
	pp.ips_overlap("::", "fd00::1")
	pp.ips_overlap("fd00::1", "::")
	not pp.ips_overlap("10.0.0.1", "10.0.0.2")
	not pp.ips_overlap("::", "10.0.0.1")
}

test_texts if {
	pp.host_port_text({"host_port": 80, "host_ip": "", "protocol": "TCP"}) == "80/TCP"
	pp.host_port_text({"host_port": 80, "host_ip": "10.0.0.1", "protocol": "UDP"}) == "10.0.0.1:80/UDP"
	pp.host_port_text({"host_port": 53, "host_ip": "fd00::1", "protocol": "UDP"}) == "[fd00::1]:53/UDP"
	pp.port_text({"number": 8080, "name": "http", "protocol": "TCP"}) == "8080/http"
	pp.port_text({"number": 9090, "name": null, "protocol": "TCP"}) == "9090"
	pp.port_text({"number": 53, "name": "dns", "protocol": "UDP"}) == "53/dns (UDP)"
}

test_functions_work_after_a_rule_of_the_library if {
	# regorus resolves import aliases in the caller's package once a rule of this package has
	# been evaluated from another one; the library imports nothing, so this keeps working.
	paths := pp.spec_paths_by_kind
	paths.CronJob == ["spec", "jobTemplate", "spec", "template", "spec"]
	pp.pod_spec_path({"kind": "DaemonSet"}) == ["spec", "template", "spec"]
	obj := deployment({"containers": [{"name": "app", "ports": [{"containerPort": 80, "hostPort": 80}]}]})
	count(pp.host_bindings(obj)) == 1
	some c in pp.serving_containers(obj)
	c.name == "app"
}

# The fallbacks of name, protocol, ip, network_port, host_port_text, name_suffix and
# protocol_suffix for fields that are missing, null, false or of the wrong type.
test_fallbacks_for_missing_null_and_mistyped_fields if {
	every c in [{}, {"name": null}, {"name": false}, {"name": 5}] {
		pp.name(c) == "<unnamed>"
	}
	pp.name({"name": ""}) == ""
	every port in [{}, {"protocol": null}, {"protocol": false}, {"protocol": 17}] {
		pp.protocol(port) == "TCP"
		pp.ip(port) == ""
	}
	pp.protocol({"protocol": "UDP"}) == "UDP"
	every port in [{"hostIP": null}, {"hostIP": false}, {"hostIP": 10}] {
		pp.ip(port) == ""
	}
	pp.ip({"hostIP": "10.0.0.1"}) == "10.0.0.1"
	every entry in [{}, {"hostPort": null}, {"hostPort": false}, {"hostPort": 0}, {"hostPort": -1}, {"hostPort": "80"}] {
		pp.network_port({"number": 8080, "entry": entry}) == [8080, "containerPort"]
	}
	pp.network_port({"number": 8080, "entry": {"hostPort": 80}}) == [80, "hostPort"]
	pp.network_port({"entry": {"hostPort": 80}}) == [80, "hostPort"]
	not pp.network_port({"entry": {}})
	pp.host_port_text({"host_port": 80, "host_ip": "0.0.0.0", "protocol": "TCP"}) == "80/TCP"
	pp.host_port_text({"host_port": 80, "host_ip": "::", "protocol": "TCP"}) == "[::]:80/TCP"
	not pp.host_port_text({"host_port": 80, "protocol": "TCP"})
	every p in [{}, {"name": null}, {"name": false}, {"name": 80}] {
		pp.name_suffix(p) == ""
	}
	pp.name_suffix({"name": ""}) == "/"
	pp.protocol_suffix({"protocol": "UDP"}) == " (UDP)"
	pp.protocol_suffix({"protocol": "tcp"}) == " (tcp)"
	pp.protocol_suffix({"protocol": null}) == " (null)"
	not pp.protocol_suffix({})
}
