package rampart.checks.host_namespace.compose_test

import rego.v1

import data.rampart.checks.host_namespace.compose as check

svc(service) := {
	"name": "web",
	"service": service,
	"ports": [],
	"project": {"name": "shop", "services": {"web": {"service": service, "ports": []}}},
	"problems": [],
}

test_network_mode_host_is_reported_at_the_key if {
	results := check.deny with input as svc({"image": "nginx:1.27", "network_mode": "host"})
	results == {{"msg": "service `web` shares the host's network namespace (network_mode: host)", "path": ["network_mode"]}}
}

test_pid_host_is_reported_at_the_key if {
	results := check.deny with input as svc({"pid": "host"})
	results == {{"msg": "service `web` shares the host's PID namespace (pid: host)", "path": ["pid"]}}
}

test_ipc_host_is_reported_at_the_key if {
	results := check.deny with input as svc({"ipc": "host"})
	results == {{"msg": "service `web` shares the host's IPC namespace (ipc: host)", "path": ["ipc"]}}
}

test_each_namespace_is_a_finding if {
	results := check.deny with input as svc({"network_mode": "host", "pid": "host", "ipc": "host"})
	count(results) == 3
	{r.path | some r in results} == {["network_mode"], ["pid"], ["ipc"]}
}

test_unset_passes if {
	count(check.deny) == 0 with input as svc({"image": "nginx:1.27"})
}

test_other_modes_pass if {
	service := {"network_mode": "bridge", "pid": "service:db", "ipc": "shareable"}
	count(check.deny) == 0 with input as svc(service)
	every value in ["none", "service:db", "container:abc123", "default", "private", "", null] {
		count(check.deny) == 0 with input as svc({"network_mode": value, "pid": value, "ipc": value})
	}
}

# Docker compares the mode with "host" exactly.
test_host_is_case_sensitive_and_exact if {
	every value in ["HOST", "Host", " host", "host:", "hostnet", true] {
		count(check.deny) == 0 with input as svc({"network_mode": value, "pid": value, "ipc": value})
	}
}

# Only the three namespaces of the Kubernetes side are checked.
test_other_host_modes_are_not_reported if {
	service := {"uts": "host", "userns_mode": "host", "cgroup": "host"}
	count(check.deny) == 0 with input as svc(service)
}

# A network called `host` in `networks` is not `network_mode`.
test_networks_named_host_are_not_network_mode if {
	count(check.deny) == 0 with input as svc({"networks": ["host"]})
	count(check.deny) == 0 with input as svc({"networks": {"host": {}}})
}

test_message_names_the_service if {
	inp := object.union(svc({"pid": "host"}), {"name": "monitor"})
	results := check.deny with input as inp
	some r in results
	r.msg == "service `monitor` shares the host's PID namespace (pid: host)"
}
