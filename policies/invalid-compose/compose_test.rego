package rampart.checks.invalid_compose.compose_test

import rego.v1

import data.rampart.checks.invalid_compose.compose as check

test_every_problem_is_reported if {
	problems := [
		{"msg": "unknown service key `imagee` (did you mean `image`?)", "path": ["imagee"], "kind": "invalid"},
		{"msg": "`ports` must be a sequence, not a string", "path": ["ports"], "kind": "invalid"},
	]
	results := check.deny with input as {"name": "web", "service": {}, "ports": [], "problems": problems}
	count(results) == 2
	some r in results
	r.path == ["imagee"]
	r.msg == "unknown service key `imagee` (did you mean `image`?)"
}

test_no_problem_no_finding if {
	count(check.deny) == 0 with input as {"name": "web", "service": {"image": "x"}, "ports": [], "problems": []}
}

test_unset_variables_are_left_to_unset_compose_variable if {
	problems := [
		{"msg": "variable `PORT` is not set in the project's `.env` and has no default", "path": ["ports", 0], "kind": "unset-variable"},
		{"msg": "required variable `TAG` is not set in the project's `.env`", "path": ["image"], "kind": "invalid"},
	]
	results := check.deny with input as {"name": "web", "service": {}, "ports": [], "problems": problems}
	{r.path | some r in results} == {["image"]}
}
