# METADATA
# description: |
#   a service without `deploy.resources.limits.cpus` nor the legacy `cpus`, or
#   with `0` there (which Docker reads as no limit). The value may be a number or a string
#   (`1.5`, `"0.5"`); an invalid value is left to Compose, which rejects it.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/deploy/#resources
#     description: Compose Deploy Specification (resources)
#   - ref: https://docs.docker.com/reference/compose-file/services/#cpus
#     description: Compose specification, services (cpus)
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, without a CPU limit a busy container can use every core
#     of the host and slow down the other services on it.
#   remediation: |
#     Set `deploy.resources.limits.cpus` (for example `"1.0"`), or the legacy `cpus`, at or
#     above the CPU reservation. Use one of the two keys: Compose rejects a service whose two
#     keys hold distinct values.
package rampart.checks.missing_cpu_limit.compose

import rego.v1

import data.rampart.lib.compose_resources as cr

deny contains finding if {
	# `=`, not `:=`: on regorus's RVM a `:=` of an undefined value does not end the body.
	finding = cr.missing_finding(input.name, input.service, "limits", "cpus", "CPU limit")
}
