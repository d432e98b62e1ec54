package rampart.checks.missing_topology_spread.compose_test

import rego.v1

import data.rampart.checks.missing_topology_spread.compose as check
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

path := ["deploy", "placement", "preferences"]

test_replicas_without_placement_are_reported if {
	r := finding({"replicas": 3})
	r.path == path
	r.msg == "service `api` runs 3 replicas with no `deploy.placement.preferences` spread: they are not spread across zones"
}

test_placement_without_spread_is_reported if {
	finding({"replicas": 2, "placement": {"max_replicas_per_node": 1}}).path == path
	finding({"replicas": 2, "placement": {"constraints": ["node.labels.zone == a"]}}).path == path
	finding({"replicas": 2, "placement": {"preferences": []}}).path == path
	finding({"replicas": 2, "placement": {"preferences": null}}).path == path
	finding({"replicas": 2, "placement": null}).path == path
}

test_preferences_without_a_usable_spread_are_reported if {
	finding({"replicas": 2, "placement": {"preferences": [{"spread": ""}]}}).path == path
	finding({"replicas": 2, "placement": {"preferences": [{"spread": null}]}}).path == path
	finding({"replicas": 2, "placement": {"preferences": [{}]}}).path == path
	finding({"replicas": 2, "placement": {"preferences": ["node.labels.zone"]}}).path == path
}

test_spread_passes if {
	count(findings({"replicas": 3, "placement": {"preferences": [{"spread": "node.labels.zone"}]}})) == 0
	count(findings({"replicas": "3", "placement": {"preferences": [{"spread": "node.labels.rack"}]}})) == 0
	count(findings({"replicas": 3, "placement": {"preferences": [{"spread": ""}, {"spread": "engine.labels.az"}]}})) == 0
}

test_single_replica_passes if {
	count(findings({"replicas": 1})) == 0
	count(findings({})) == 0
	count(findings(null)) == 0
	count(check.deny) == 0 with input as svc({"image": "nginx:1.27"})
}

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

test_replicas_that_are_not_numbers_pass if {
	count(findings({"replicas": "many"})) == 0
}

test_odd_placement_values if {
	finding({"replicas": 2, "placement": "spread"}).path == path
	finding({"replicas": 2, "placement": []}).path == path
	finding({"replicas": 2, "placement": {"preferences": {"spread": "node.labels.zone"}}}).path == path
	finding({"replicas": 2, "placement": {"preferences": "spread=node.labels.zone"}}).path == path
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
