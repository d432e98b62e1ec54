# Helpers for the `deploy` section of a Compose service (`input.service`): replica counts and
# the numbers of the Compose Deploy Specification, which Compose accepts as YAML numbers or as
# strings (e.g. after `${VAR}` interpolation).
package rampart.lib.compose_deploy

import rego.v1

import data.rampart.lib.numbers

# A whole number ≥ 0 written as a number or a string (`3`, `"3"`); undefined for anything else.
number(value) := value if {
	is_number(value)
	value == floor(value)
	value >= 0
}

# (The two forms cannot both apply: a value is a number or a string.)
number(value) := to_number(trim_space(value)) if {
	is_string(value)
	numbers.natural(trim_space(value))
}

# `min-replicas` from the configuration (default 2).
min_replicas := n if {
	n := data.rampart.params["min-replicas"]
	is_number(n)
}

min_replicas := 2 if not is_number(data.rampart.params["min-replicas"])

# The service runs replicated tasks: `deploy.mode` is absent or `replicated` (not `global`, one
# task per node, nor the `replicated-job` / `global-job` modes of run-to-completion tasks).
replicated_mode(service) if not service.deploy.mode

replicated_mode(service) if service.deploy.mode == null

replicated_mode(service) if service.deploy.mode == "replicated"

# The replica count of a replicated service: `deploy.replicas` when it is at least
# `min-replicas`. Undefined otherwise (no `deploy.replicas` means 1; `scale` is not read, it
# counts containers on the one Docker host, where placement does not apply).
replicas(service) := n if {
	replicated_mode(service)
	n := number(service.deploy.replicas)
	n >= min_replicas
}

# The replica count of the service being checked, `replicas(input.service)`: a rule, so that it
# is computed once per service for the three definitions of missing-pod-anti-affinity and for
# missing-topology-spread. Read it with `=` (`n = service_replicas`): on the RVM a `:=` of an
# undefined value does not stop the body, which then ran whole for every service without
# replicas.
service_replicas := replicas(input.service)
