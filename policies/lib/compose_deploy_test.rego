package rampart.lib.compose_deploy_test

import rego.v1

import data.rampart.lib.compose_deploy

test_numbers if {
	compose_deploy.number(3) == 3
	compose_deploy.number("3") == 3
	compose_deploy.number(" 12 ") == 12
	compose_deploy.number(0) == 0
	compose_deploy.number("0") == 0
	not compose_deploy.number(-1)
	not compose_deploy.number(2.5)
	not compose_deploy.number("2.5")
	not compose_deploy.number("three")
	not compose_deploy.number("")
	not compose_deploy.number("${REPLICAS}")
	not compose_deploy.number(null)
	not compose_deploy.number(true)
}

test_replicas if {
	compose_deploy.replicas({"deploy": {"replicas": 3}}) == 3
	compose_deploy.replicas({"deploy": {"replicas": "2"}}) == 2
	compose_deploy.replicas({"deploy": {"mode": "replicated", "replicas": 2}}) == 2
	compose_deploy.replicas({"deploy": {"mode": null, "replicas": 2}}) == 2
}

test_not_replicated if {
	not compose_deploy.replicas({})
	not compose_deploy.replicas({"deploy": null})
	not compose_deploy.replicas({"deploy": {}})
	not compose_deploy.replicas({"deploy": {"replicas": 1}})
	not compose_deploy.replicas({"deploy": {"replicas": 0}})
	not compose_deploy.replicas({"deploy": {"replicas": "many"}})
	not compose_deploy.replicas({"scale": 3})
}

test_other_modes if {
	not compose_deploy.replicas({"deploy": {"mode": "global", "replicas": 3}})
	not compose_deploy.replicas({"deploy": {"mode": "replicated-job", "replicas": 3}})
	not compose_deploy.replicas({"deploy": {"mode": "global-job"}})
}

test_min_replicas_default if {
	compose_deploy.min_replicas == 2
}

test_min_replicas_from_params if {
	compose_deploy.min_replicas == 3 with data.rampart.params as {"min-replicas": 3}
	not compose_deploy.replicas({"deploy": {"replicas": 2}}) with data.rampart.params as {"min-replicas": 3}
	compose_deploy.replicas({"deploy": {"replicas": 3}}) == 3 with data.rampart.params as {"min-replicas": 3}
	compose_deploy.replicas({"deploy": {"replicas": 1}}) == 1 with data.rampart.params as {"min-replicas": 1}
}

test_odd_deploy_values if {
	not compose_deploy.replicas({"deploy": "3"})
	not compose_deploy.replicas({"deploy": [3]})
	not compose_deploy.replicas({"deploy": {"replicas": [3]}})
	not compose_deploy.replicas({"deploy": {"replicas": {"count": 3}}})
	not compose_deploy.replicas({"deploy": {"mode": 7, "replicas": 3}})
}

# A `min-replicas` that is not a number (or null) is the default.
test_min_replicas_odd_params if {
	compose_deploy.min_replicas == 2 with data.rampart.params as {"min-replicas": "3"}
	compose_deploy.min_replicas == 2 with data.rampart.params as {"min-replicas": null}
	compose_deploy.min_replicas == 2 with data.rampart.params as {"min-replicas": false}
	compose_deploy.min_replicas == 2 with data.rampart.params as {}
	compose_deploy.min_replicas == 0 with data.rampart.params as {"min-replicas": 0}
}
