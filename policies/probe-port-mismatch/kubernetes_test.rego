package rampart.checks.probe_port_mismatch.kubernetes_test

import rego.v1

import data.rampart.checks.probe_port_mismatch.kubernetes as check

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "api"},
	"spec": {"template": {"spec": pod_spec}},
}

one(container) := deployment({"containers": [container]})

api_ports := [{"name": "http", "containerPort": 8080}, {"name": "metrics", "containerPort": 9090}]

container := ["spec", "template", "spec", "containers", 0]

test_numeric_port_declared if {
	c := {"name": "api", "ports": api_ports, "livenessProbe": {"httpGet": {"path": "/", "port": 8080}}}
	count(check.deny) == 0 with input as one(c)
}

test_numeric_port_mismatch if {
	c := {"name": "api", "ports": api_ports, "livenessProbe": {"httpGet": {"path": "/", "port": 8081}}}
	results := check.deny with input as one(c)
	count(results) == 1
	some r in results
	r.path == array.concat(container, ["livenessProbe", "httpGet", "port"])
	r.msg == "livenessProbe of container `api` probes port 8081, which the container does not declare"
}

test_named_port_resolved if {
	c := {"name": "api", "ports": api_ports, "readinessProbe": {"httpGet": {"path": "/", "port": "http"}}}
	count(check.deny) == 0 with input as one(c)
}

test_named_port_unresolved if {
	c := {"name": "api", "ports": api_ports, "readinessProbe": {"httpGet": {"path": "/", "port": "admin"}}}
	results := check.deny with input as one(c)
	count(results) == 1
	some r in results
	r.path == array.concat(container, ["readinessProbe", "httpGet", "port"])
	r.msg == "readinessProbe of container `api` probes port `admin`, but no port of the container has that name"
}

test_name_does_not_match_a_number_nor_a_number_a_name if {
	ports := [{"name": "http", "containerPort": 8080}]
	c1 := {"name": "api", "ports": ports, "livenessProbe": {"tcpSocket": {"port": "8080"}}}
	[r] := [x | some x in check.deny with input as one(c1)]
	r.msg == "livenessProbe of container `api` probes port \"8080\" (a quoted number, which Kubernetes reads as a port name), but no port of the container has that name"
	named_by_number := [{"name": "8080", "containerPort": 9000}]
	c2 := {"name": "api", "ports": named_by_number, "livenessProbe": {"tcpSocket": {"port": 8080}}}
	count(check.deny) == 1 with input as one(c2)
}

test_ports_of_other_containers_do_not_count if {
	spec := {"containers": [
		{"name": "api", "ports": api_ports},
		{"name": "sidecar", "ports": [{"name": "admin", "containerPort": 15000}], "livenessProbe": {"httpGet": {"port": "http"}}, "readinessProbe": {"tcpSocket": {"port": 8080}}},
	]}
	results := check.deny with input as deployment(spec)
	{r.path | some r in results} == {
		["spec", "template", "spec", "containers", 1, "livenessProbe", "httpGet", "port"],
		["spec", "template", "spec", "containers", 1, "readinessProbe", "tcpSocket", "port"],
	}
}

test_container_without_ports if {
	c := {"name": "api", "livenessProbe": {"httpGet": {"port": 8080}}, "readinessProbe": {"httpGet": {"port": "http"}}}
	results := check.deny with input as one(c)
	# The numeric port works (declaring ports is informational); the name resolves to nothing.
	{r.msg | some r in results} == {"readinessProbe of container `api` probes port `http`, but the container declares no ports"}
	count(check.deny) == 0 with input as one({"name": "api", "ports": [], "livenessProbe": {"httpGet": {"port": 8080}}})
	count(check.deny) == 0 with input as one({"name": "api", "ports": null, "livenessProbe": {"httpGet": {"port": 8080}}})
	count(check.deny) == 1 with input as one({"name": "api", "ports": null, "livenessProbe": {"httpGet": {"port": "http"}}})
}

test_every_probe_and_handler if {
	c := {
		"name": "api",
		"ports": api_ports,
		"livenessProbe": {"tcpSocket": {"port": 1}},
		"readinessProbe": {"grpc": {"port": 2}},
		"startupProbe": {"httpGet": {"port": "nope"}},
	}
	results := check.deny with input as one(c)
	{r.path | some r in results} == {
		array.concat(container, ["livenessProbe", "tcpSocket", "port"]),
		array.concat(container, ["readinessProbe", "grpc", "port"]),
		array.concat(container, ["startupProbe", "httpGet", "port"]),
	}
}

test_startup_probe_matching if {
	c := {"name": "api", "ports": api_ports, "startupProbe": {"httpGet": {"port": "http"}}, "livenessProbe": {"grpc": {"port": 9090}}}
	count(check.deny) == 0 with input as one(c)
}

test_exec_probes_are_ignored if {
	c := {"name": "api", "livenessProbe": {"exec": {"command": ["pg_isready"]}}, "readinessProbe": {"exec": {"command": ["true"]}}}
	count(check.deny) == 0 with input as one(c)
}

test_probes_without_port_are_ignored if {
	c := {"name": "api", "ports": api_ports, "livenessProbe": {"httpGet": {"path": "/"}}, "readinessProbe": {"tcpSocket": {"port": null}}}
	count(check.deny) == 0 with input as one(c)
}

test_host_network_pods_compare_declared_ports if {
	spec := {"hostNetwork": true, "containers": [{
		"name": "agent",
		"ports": [{"name": "http", "containerPort": 9100, "hostPort": 9100}],
		"livenessProbe": {"httpGet": {"port": 9100}},
		"readinessProbe": {"httpGet": {"port": 9101}},
	}]}
	[r] := [x | some x in check.deny with input as deployment(spec)]
	r.path == array.concat(container, ["readinessProbe", "httpGet", "port"])
}

test_init_and_ephemeral_containers_are_not_checked if {
	spec := {
		"initContainers": [{"name": "sidecar", "restartPolicy": "Always", "livenessProbe": {"httpGet": {"port": 1}}}],
		"ephemeralContainers": [{"name": "debug", "readinessProbe": {"httpGet": {"port": 2}}}],
		"containers": [{"name": "api"}],
	}
	count(check.deny) == 0 with input as deployment(spec)
}

test_jobs_and_pods_are_checked if {
	job := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 2}], "livenessProbe": {"tcpSocket": {"port": 1}}}]}}}}
	[r1] := [x | some x in check.deny with input as job]
	r1.path == ["spec", "template", "spec", "containers", 0, "livenessProbe", "tcpSocket", "port"]
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a", "ports": [{"containerPort": 2}], "startupProbe": {"tcpSocket": {"port": 1}}}]}}
	[r2] := [x | some x in check.deny with input as pod]
	r2.path == ["spec", "containers", 0, "startupProbe", "tcpSocket", "port"]
}

test_malformed_probes_are_ignored if {
	c := {"name": "api", "ports": "8080", "livenessProbe": "tcp", "readinessProbe": {"httpGet": "8080"}}
	count(check.deny) == 0 with input as one(c)
}

# The message for a container without ports wins over the numeric-port one (both conditions
# hold for a numeric port), and `ports` that is not a list counts as no ports.
test_messages_when_several_conditions_hold if {
	check.message("livenessProbe", {"name": "api"}, 8080) == "livenessProbe of container `api` probes port 8080, but the container declares no ports"
	check.message("livenessProbe", {"name": "api", "ports": "http"}, "8080") == "livenessProbe of container `api` probes port \"8080\" (a quoted number, which Kubernetes reads as a port name), but the container declares no ports"
	check.message("livenessProbe", {"ports": null}, "http") == "livenessProbe of container `<unnamed>` probes port `http`, but the container declares no ports"
	check.message("livenessProbe", {"ports": api_ports}, 8081) == "livenessProbe of container `<unnamed>` probes port 8081, which the container does not declare"
	check.message("livenessProbe", {"ports": api_ports}, "") == "livenessProbe of container `<unnamed>` probes port ``, but no port of the container has that name"
	c := {"name": "api", "ports": {"http": 8080}, "livenessProbe": {"httpGet": {"port": "http"}}}
	[r] := [x | some x in check.deny with input as one(c)]
	r.msg == "livenessProbe of container `api` probes port `http`, but the container declares no ports"
	count(check.deny) == 0 with input as one({"name": "api", "ports": {"http": 8080}, "livenessProbe": {"httpGet": {"port": 8080}}})
}
