# METADATA
# description: |
#   a service without `deploy.resources.limits.memory` nor the legacy `mem_limit`,
#   or with `0` there (which Docker reads as no limit). The value is a byte value (`512m`,
#   `1gb`, `1.5G`, a number of bytes); an invalid value is left to Compose, which rejects it.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/deploy/#resources
#     description: Compose Deploy Specification (resources)
#   - ref: https://docs.docker.com/reference/compose-file/services/#mem_limit
#     description: Compose specification, services (mem_limit)
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, a container without a memory limit can grow until the
#     host runs out of memory; the kernel's OOM killer then picks processes across the host,
#     other services' included.
#   remediation: |
#     Set `deploy.resources.limits.memory` (for example `512m`), or the legacy `mem_limit`, at
#     or above the memory reservation. Use one of the two keys: Compose rejects a service whose
#     two keys hold distinct values.
package rampart.checks.missing_memory_limit.compose

import rego.v1

import data.rampart.lib.compose_resources as cr

deny contains finding if {
	# `=`, not `:=`: on regorus's RVM a `:=` of an undefined value does not end the body.
	finding = cr.missing_finding(input.name, input.service, "limits", "memory", "memory limit")
}
