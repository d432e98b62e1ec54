package rampart.checks.mutable_image_tag.compose_test

import rego.v1

import data.rampart.checks.mutable_image_tag.compose as check

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

svc(service) := {
	"name": "web",
	"service": service,
	"ports": [],
	"project": {"name": "shop", "services": {"web": {"service": service, "ports": []}}},
	"problems": [],
}

findings(service) := results if {
	results := check.deny with input as svc(service)
}

finding(service) := r if {
	results := findings(service)
	count(results) == 1
	some r in results
}

test_latest_is_reported_at_the_image if {
	r := finding({"image": "bitnami/spark:latest"})
	r.path == ["image"]
	r.msg == "service `web` uses image `bitnami/spark:latest`, whose tag `latest` can change"
}

test_untagged_is_reported if {
	r := finding({"image": "minio/minio"})
	r.path == ["image"]
	r.msg == "service `web` uses image `minio/minio` with no tag or digest (it means `latest`)"
}

test_registry_port_is_not_a_tag if {
	finding({"image": "registry:5000/app"}).msg == "service `web` uses image `registry:5000/app` with no tag or digest (it means `latest`)"
	finding({"image": "localhost:5000/team/app"}).msg == "service `web` uses image `localhost:5000/team/app` with no tag or digest (it means `latest`)"
	finding({"image": "registry:5000/app:latest"}).msg == "service `web` uses image `registry:5000/app:latest`, whose tag `latest` can change"
}

test_empty_tag_is_untagged if {
	finding({"image": "nginx:"}).msg == "service `web` uses image `nginx:` with no tag or digest (it means `latest`)"
}

test_tagged_images_pass if {
	count(findings({"image": "nginx:1.27"})) == 0
	count(findings({"image": "registry:5000/team/app:2.0"})) == 0
	count(findings({"image": "bitnami/spark:3.5.5"})) == 0
	count(findings({"image": "minio/minio:RELEASE.2024-01-16T16-07-38Z"})) == 0
}

# A moving tag other than `latest` is not what the check reports.
test_other_moving_tags_pass if {
	count(findings({"image": "redis:alpine"})) == 0
	count(findings({"image": "nginx:stable"})) == 0
	count(findings({"image": "nginx:LATEST"})) == 0
}

test_digest_pins if {
	count(findings({"image": sprintf("nginx@%s", [digest])})) == 0
	count(findings({"image": sprintf("nginx:latest@%s", [digest])})) == 0
	count(findings({"image": sprintf("registry:5000/app@%s", [digest])})) == 0
}

test_build_without_image_is_not_reported if {
	count(findings({"build": "."})) == 0
	count(findings({"build": {"context": "./api", "dockerfile": "Dockerfile"}})) == 0
}

# Compose pulls `image` before it builds (default pull_policy), so the tag still matters.
test_build_with_mutable_image_is_reported if {
	finding({"build": ".", "image": "registry.example.com/api"}).path == ["image"]
	finding({"build": ".", "image": "registry.example.com/api:latest"}).path == ["image"]
	count(findings({"build": ".", "image": "registry.example.com/api:1.4.0"})) == 0
}

test_missing_empty_or_odd_image_is_not_reported if {
	count(findings({})) == 0
	count(findings({"image": ""})) == 0
	count(findings({"image": null})) == 0
	count(findings({"image": 42})) == 0
}

test_other_services_do_not_matter if {
	inp := {
		"name": "api",
		"service": {"image": "api:1.0.0"},
		"ports": [],
		"project": {"name": "shop", "services": {
			"api": {"service": {"image": "api:1.0.0"}, "ports": []},
			"db": {"service": {"image": "postgres"}, "ports": []},
		}},
		"problems": [],
	}
	count(check.deny) == 0 with input as inp
}

test_service_name_in_message if {
	inp := object.union(svc({"image": "postgres:latest"}), {"name": "db"})
	results := check.deny with input as inp
	results == {{"msg": "service `db` uses image `postgres:latest`, whose tag `latest` can change", "path": ["image"]}}
}
