package rampart.checks.unset_compose_variable.compose_test

import rego.v1

import data.rampart.checks.unset_compose_variable.compose as check

problems := [
	{"msg": "variable `PORT` is not set in the project's `.env` and has no default", "path": ["ports", 0], "kind": "unset-variable"},
	{"msg": "required variable `TAG` is not set in the project's `.env`", "path": ["image"], "kind": "invalid"},
	{"msg": "unknown service key `imagee` (did you mean `image`?)", "path": ["imagee"], "kind": "invalid"},
]

test_only_unset_variables_are_reported if {
	results := check.deny with input as {"name": "web", "service": {}, "ports": [], "problems": problems}
	results == {{"msg": "variable `PORT` is not set in the project's `.env` and has no default", "path": ["ports", 0]}}
}

test_no_problem_no_finding if {
	count(check.deny) == 0 with input as {"name": "web", "service": {"image": "x"}, "ports": [], "problems": []}
}
