package rampart.checks.unresolved_target_port.kubernetes_test

import rego.v1

import data.rampart.checks.unresolved_target_port.kubernetes as check

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

service(selector, ports) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"selector": selector, "ports": ports},
}

deployment(name, labels, containers) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": name, "namespace": "shop"},
	"spec": {
		"selector": {"matchLabels": labels},
		"template": {"metadata": {"labels": labels}, "spec": {"containers": containers}},
	},
}

web := deployment("web", {"app": "web", "tier": "front"}, [{"name": "nginx", "ports": [{"name": "http", "containerPort": 8080}, {"containerPort": 9113}]}])

test_numeric_target_port_matches if {
	svc := service({"app": "web"}, [{"port": 80, "targetPort": 8080}])
	count(check.deny) == 0 with input as svc with data.inventory as inventory([svc, web]) with data.rampart.index as rampart.inventory_index(inventory([svc, web]))
}

test_named_target_port_matches if {
	svc := service({"app": "web"}, [{"port": 80, "targetPort": "http"}])
	count(check.deny) == 0 with input as svc with data.inventory as inventory([svc, web]) with data.rampart.index as rampart.inventory_index(inventory([svc, web]))
}

test_numeric_target_port_unresolved if {
	svc := service({"app": "web"}, [{"port": 80, "targetPort": 8080}, {"port": 81, "targetPort": 8081}])
	results := check.deny with input as svc with data.inventory as inventory([svc, web]) with data.rampart.index as rampart.inventory_index(inventory([svc, web]))
	count(results) == 1
	some r in results
	r.path == ["spec", "ports", 1, "targetPort"]
	r.msg == "targetPort 8081 of port 81/TCP matches no container port of the selected workloads"
	r.related == [{
		"msg": "selects Deployment shop/web, whose containers declare 8080/http, 9113",
		"path": ["spec", "template", "spec", "containers"],
		"object": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": "shop"},
	}]
}

test_a_service_selecting_many_workloads_relates_the_first_ten if {
	svc := service({"app": "web"}, [{"port": 80, "targetPort": "grpc"}])
	crowd := [deployment(sprintf("web-%02d", [i]), {"app": "web"}, [{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}]) | some i in numbers.range(0, 11)]
	objects := array.concat([svc], crowd)
	results := check.deny with input as svc with data.inventory as inventory(objects) with data.rampart.index as rampart.inventory_index(inventory(objects))
	count(results) == 1
	some r in results
	count(r.related) == 10
	r.related[0].object.name == "web-00"
	r.related[9].object.name == "web-09"
}

test_named_target_port_unresolved if {
	svc := service({"app": "web"}, [{"port": 80, "targetPort": "web"}])
	results := check.deny with input as svc with data.inventory as inventory([svc, web]) with data.rampart.index as rampart.inventory_index(inventory([svc, web]))
	count(results) == 1
	some r in results
	r.path == ["spec", "ports", 0, "targetPort"]
	r.msg == "targetPort `web` of port 80/TCP matches no container port of the selected workloads"
}

test_absent_target_port_defaults_to_port if {
	ok := service({"app": "web"}, [{"port": 8080}])
	count(check.deny) == 0 with input as ok with data.inventory as inventory([ok, web]) with data.rampart.index as rampart.inventory_index(inventory([ok, web]))
	bad := service({"app": "web"}, [{"name": "http", "port": 80}])
	results := check.deny with input as bad with data.inventory as inventory([bad, web]) with data.rampart.index as rampart.inventory_index(inventory([bad, web]))
	count(results) == 1
	some r in results
	r.path == ["spec", "ports", 0]
	r.msg == "port 80/TCP has no targetPort, and no container of the selected workloads declares 80/TCP"
}

test_protocol_must_match if {
	dns := deployment("dns", {"app": "dns"}, [{"name": "coredns", "ports": [{"name": "dns", "containerPort": 53, "protocol": "UDP"}]}])
	svc := service({"app": "dns"}, [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": "dns"}, {"name": "dns-tcp", "port": 53, "targetPort": 53}])
	results := check.deny with input as svc with data.inventory as inventory([svc, dns]) with data.rampart.index as rampart.inventory_index(inventory([svc, dns]))
	count(results) == 1
	some r in results
	r.path == ["spec", "ports", 1, "targetPort"]
	r.related[0].msg == "selects Deployment shop/dns, whose containers declare 53/dns (UDP)"
}

test_digit_string_target_port_is_a_number if {
	svc := service({"app": "web"}, [{"port": 80, "targetPort": "8080"}])
	count(check.deny) == 0 with input as svc with data.inventory as inventory([svc, web]) with data.rampart.index as rampart.inventory_index(inventory([svc, web]))
}

test_selector_selects_nothing_is_not_reported if {
	svc := service({"app": "api"}, [{"port": 80, "targetPort": 1234}])
	count(check.deny) == 0 with input as svc with data.inventory as inventory([svc, web]) with data.rampart.index as rampart.inventory_index(inventory([svc, web]))
}

test_no_or_empty_selector_is_not_reported if {
	none := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext", "namespace": "shop"}, "spec": {"ports": [{"port": 80, "targetPort": 1234}]}}
	count(check.deny) == 0 with input as none with data.inventory as inventory([none, web]) with data.rampart.index as rampart.inventory_index(inventory([none, web]))
	empty := service({}, [{"port": 80, "targetPort": 1234}])
	count(check.deny) == 0 with input as empty with data.inventory as inventory([empty, web]) with data.rampart.index as rampart.inventory_index(inventory([empty, web]))
}

test_external_name_is_not_reported if {
	svc := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "shop"}, "spec": {"type": "ExternalName", "externalName": "db.example.com", "selector": {"app": "web"}, "ports": [{"port": 5432}]}}
	count(check.deny) == 0 with input as svc with data.inventory as inventory([svc, web]) with data.rampart.index as rampart.inventory_index(inventory([svc, web]))
}

test_other_namespace_is_not_selected if {
	other := object.union(web, {"metadata": {"name": "web", "namespace": "billing"}})
	svc := service({"app": "web"}, [{"port": 80, "targetPort": 1234}])
	count(check.deny) == 0 with input as svc with data.inventory as inventory([svc, other]) with data.rampart.index as rampart.inventory_index(inventory([svc, other]))
}

test_selector_must_match_every_label if {
	svc := service({"app": "web", "tier": "back"}, [{"port": 80, "targetPort": 1234}])
	count(check.deny) == 0 with input as svc with data.inventory as inventory([svc, web]) with data.rampart.index as rampart.inventory_index(inventory([svc, web]))
}

test_port_of_any_selected_workload_resolves if {
	canary := deployment("web-canary", {"app": "web", "track": "canary"}, [{"name": "nginx", "ports": [{"name": "admin", "containerPort": 9000}]}])
	svc := service({"app": "web"}, [{"port": 9000, "targetPort": "admin"}, {"port": 7000, "targetPort": "nope"}])
	results := check.deny with input as svc with data.inventory as inventory([svc, web, canary]) with data.rampart.index as rampart.inventory_index(inventory([svc, web, canary]))
	count(results) == 1
	some r in results
	r.path == ["spec", "ports", 1, "targetPort"]
	{x.object.name | some x in r.related} == {"web", "web-canary"}
}

test_sidecar_ports_count_but_plain_init_ports_do_not if {
	pod := {
		"apiVersion": "v1",
		"kind": "Pod",
		"metadata": {"name": "meshed", "namespace": "shop", "labels": {"app": "meshed"}},
		"spec": {
			"initContainers": [
				{"name": "proxy", "restartPolicy": "Always", "ports": [{"name": "mesh", "containerPort": 15001}]},
				{"name": "setup", "ports": [{"name": "setup", "containerPort": 15002}]},
			],
			"containers": [{"name": "app"}],
		},
	}
	svc := service({"app": "meshed"}, [{"port": 1, "targetPort": "mesh"}, {"port": 2, "targetPort": "setup"}])
	results := check.deny with input as svc with data.inventory as inventory([svc, pod]) with data.rampart.index as rampart.inventory_index(inventory([svc, pod]))
	count(results) == 1
	some r in results
	r.path == ["spec", "ports", 1, "targetPort"]
	r.related[0].path == ["spec", "containers"]
	r.related[0].msg == "selects Pod shop/meshed, whose containers declare 15001/mesh"
}

test_workload_without_ports if {
	bare := deployment("bare", {"app": "bare"}, [{"name": "app"}])
	# A numeric port reaches the container whether or not it is declared.
	numeric := service({"app": "bare"}, [{"port": 80}, {"port": 81, "targetPort": 8081}])
	count(check.deny) == 0 with input as numeric with data.inventory as inventory([numeric, bare]) with data.rampart.index as rampart.inventory_index(inventory([numeric, bare]))
	# A name resolves to nothing.
	named := service({"app": "bare"}, [{"port": 80, "targetPort": "http"}])
	results := check.deny with input as named with data.inventory as inventory([named, bare]) with data.rampart.index as rampart.inventory_index(inventory([named, bare]))
	some r in results
	r.related[0].msg == "selects Deployment shop/bare, whose containers declare no ports"
}

test_default_namespace if {
	svc := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 1}]}}
	inv := {"namespace": {"default": {"apps/v1": {"Deployment": {"web": object.union(web, {"metadata": {"namespace": null}})}}}}}
	results := check.deny with input as svc with data.inventory as inv with data.rampart.index as rampart.inventory_index(inv) with data.rampart.params as {"default-namespace": "default"}
	count(results) == 1
}

test_cronjob_is_selected if {
	cj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "job", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {
		"metadata": {"labels": {"app": "job"}},
		"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}]}]},
	}}}}}
	svc := service({"app": "job"}, [{"port": 81}])
	results := check.deny with input as svc with data.inventory as inventory([svc, cj]) with data.rampart.index as rampart.inventory_index(inventory([svc, cj]))
	some r in results
	r.related[0].path == ["spec", "jobTemplate", "spec", "template", "spec", "containers"]
}

test_non_services_are_ignored if {
	count(check.deny) == 0 with input as web with data.inventory as inventory([web]) with data.rampart.index as rampart.inventory_index(inventory([web]))
}
