package rampart.checks.missing_pod_anti_affinity.compose_test

import rego.v1

import data.rampart.checks.missing_pod_anti_affinity.compose as check
import data.rampart.lib.compose_security_reference_test as reference

svc(service) := {
	"name": "api",
	"service": service,
	"ports": [],
	"project": {"name": "shop", "services": {"api": {"service": service, "ports": []}}},
	"problems": [],
}

findings(deploy) := results if {
	results := check.deny with input as svc({"image": "registry.example.com/api:2.0.0", "deploy": deploy})
}

finding(deploy) := r if {
	results := findings(deploy)
	count(results) == 1
	some r in results
}

path := ["deploy", "placement", "max_replicas_per_node"]

test_replicas_without_placement_are_reported if {
	r := finding({"replicas": 3})
	r.path == path
	r.msg == "service `api` runs 3 replicas with no `deploy.placement.max_replicas_per_node`: they may all run on one node"
}

test_placement_without_limit_is_reported if {
	finding({"replicas": 2, "placement": {"constraints": ["node.role == worker"]}}).path == path
	finding({"replicas": 2, "placement": {"preferences": [{"spread": "node.labels.zone"}]}}).path == path
	finding({"replicas": 2, "placement": {"max_replicas_per_node": null}}).path == path
	finding({"replicas": 2, "placement": null}).path == path
}

test_limit_of_one_passes if {
	count(findings({"replicas": 3, "placement": {"max_replicas_per_node": 1}})) == 0
	count(findings({"replicas": "3", "placement": {"max_replicas_per_node": "1"}})) == 0
}

# Below the replica count, the replicas need at least two nodes.
test_limit_below_replicas_passes if {
	count(findings({"replicas": 4, "placement": {"max_replicas_per_node": 2}})) == 0
	count(findings({"replicas": 3, "placement": {"max_replicas_per_node": 2}})) == 0
}

test_limit_at_or_above_replicas_is_reported if {
	r := finding({"replicas": 3, "placement": {"max_replicas_per_node": 3}})
	r.path == path
	r.msg == "service `api` runs 3 replicas with `max_replicas_per_node: 3`, which lets them all run on one node"
	finding({"replicas": 2, "placement": {"max_replicas_per_node": 5}}).path == path
	finding({"replicas": "2", "placement": {"max_replicas_per_node": "2"}}).path == path
}

# Swarm reads 0 as "no limit".
test_limit_zero_is_reported if {
	r := finding({"replicas": 3, "placement": {"max_replicas_per_node": 0}})
	r.path == path
	r.msg == "service `api` runs 3 replicas with `max_replicas_per_node: 0`, which is no limit: they may all run on one node"
}

test_replicas_as_string if {
	finding({"replicas": "4"}).msg == "service `api` runs 4 replicas with no `deploy.placement.max_replicas_per_node`: they may all run on one node"
}

test_single_replica_passes if {
	count(findings({"replicas": 1})) == 0
	count(findings({"replicas": 0})) == 0
	count(findings({})) == 0
	count(findings(null)) == 0
	count(check.deny) == 0 with input as svc({"image": "nginx:1.27"})
}

# `scale` runs containers on the one Docker host: placement does not apply.
test_scale_is_not_read if {
	count(check.deny) == 0 with input as svc({"image": "nginx:1.27", "scale": 3})
}

test_global_and_job_modes_pass if {
	count(findings({"mode": "global"})) == 0
	count(findings({"mode": "global", "replicas": 3})) == 0
	count(findings({"mode": "replicated-job", "replicas": 3})) == 0
	finding({"mode": "replicated", "replicas": 3}).path == path
}

test_min_replicas_param if {
	count(findings({"replicas": 2})) == 0 with data.rampart.params as {"min-replicas": 3}
	count(findings({"replicas": 3})) == 1 with data.rampart.params as {"min-replicas": 3}
}

# Values that are not numbers are left to invalid-compose.
test_values_that_are_not_numbers_pass if {
	count(findings({"replicas": "many"})) == 0
	count(findings({"replicas": 3, "placement": {"max_replicas_per_node": "one"}})) == 0
}

test_odd_placement_values if {
	finding({"replicas": 2, "placement": "spread"}).path == path
	finding({"replicas": 2, "placement": []}).path == path
	count(findings({"replicas": 2, "placement": {"max_replicas_per_node": [1]}})) == 0
	count(findings("replicas: 3")) == 0
	count(findings([{"replicas": 3}])) == 0
}

# fixtures/reference/compose: no service sets `deploy.replicas`, so neither file is reported.
test_reference_compose_files_pass if {
	count(reference.hardened) == 6
	count(reference.as_written) == 6
	every services in [reference.hardened, reference.as_written] {
		every name, _ in services {
			count(check.deny) == 0 with input as reference.compose_input(services, name)
		}
	}
}

# The hardened file, scaled out as its README says: replicas with both placement settings.
test_hardened_worker_scaled_out_with_placement_passes if {
	worker := reference.hardened["spark-worker"]
	scaled := object.union(worker, {"deploy": object.union(worker.deploy, {
		"replicas": 3,
		"placement": {"max_replicas_per_node": 1, "preferences": [{"spread": "node.labels.zone"}]},
	})})
	services := object.union(reference.hardened, {"spark-worker": scaled})
	count(check.deny) == 0 with input as reference.compose_input(services, "spark-worker")
	unplaced := object.union(worker, {"deploy": object.union(worker.deploy, {"replicas": 3})})
	count(check.deny) == 1 with input as reference.compose_input(object.union(reference.hardened, {"spark-worker": unplaced}), "spark-worker")
}
