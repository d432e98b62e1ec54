# The Compose reference fixtures (fixtures/reference/compose/), through the Compose sides of
# mutable-image-tag and hardcoded-secret, with the services as written in
# compose_security_reference_test.rego (no override, no interpolation). The hardened file gives
# no finding; the as-written file gives exactly the findings its README lists for these checks.
package rampart.lib.compose_misc_reference_test

import rego.v1

import data.rampart.checks.hardcoded_secret.compose as hardcoded_secret
import data.rampart.checks.mutable_image_tag.compose as mutable_image_tag
import data.rampart.lib.compose_security_reference_test as reference

findings(services) := {[name, check, r.path] |
	some name, _ in services
	inp := reference.compose_input(services, name)
	mi := mutable_image_tag.deny with input as inp
	hs := hardcoded_secret.deny with input as inp
	some [check, results] in [["mutable-image-tag", mi], ["hardcoded-secret", hs]]
	some r in results
}

test_hardened_reference_has_no_image_or_secret_finding if {
	count(reference.hardened) == 6
	count(findings(reference.hardened)) == 0
}

test_as_written_reference_has_the_readme_findings if {
	count(reference.as_written) == 6
	findings(reference.as_written) == {
		["spark-master", "mutable-image-tag", ["image"]],
		["spark-worker", "mutable-image-tag", ["image"]],
		["minio", "mutable-image-tag", ["image"]],
		["api-gateway", "mutable-image-tag", ["image"]],
		["inference", "mutable-image-tag", ["image"]],
		# `- MINIO_ROOT_PASSWORD=minioadmin`; `MINIO_ROOT_USER` is not a credential name.
		["minio", "hardcoded-secret", ["environment", 1]],
	}
}

test_as_written_messages if {
	inp := reference.compose_input(reference.as_written, "minio")
	mutable_image_tag.deny == {{"msg": "service `minio` uses image `minio/minio` with no tag or digest (it means `latest`)", "path": ["image"]}} with input as inp
	hardcoded_secret.deny == {{"msg": "service `minio` sets `MINIO_ROOT_PASSWORD` to a literal value in `environment`; take it from a secret", "path": ["environment", 1]}} with input as inp
	spark := reference.compose_input(reference.as_written, "spark-master")
	mutable_image_tag.deny == {{"msg": "service `spark-master` uses image `bitnami/spark:latest`, whose tag `latest` can change", "path": ["image"]}} with input as spark
}
