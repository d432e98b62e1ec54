package rampart.checks.duplicate_resource.kubernetes_test

import rego.v1

import data.rampart.checks.duplicate_resource.kubernetes as check

# The rule is empty: the run reports duplicates (tests/units.rs and the check's fixtures).
test_the_policy_reports_nothing_itself if {
	count(check.deny) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
}
