# METADATA
# description: |
#   a service without `deploy.resources.reservations.memory` nor the legacy
#   `mem_reservation`, or with `0` there (which reserves nothing). Unlike Kubernetes, Compose
#   does not default a reservation to the limit, so a service with a memory limit but no
#   reservation is reported. The value is a byte value (`512m`, `1gb`, `1.5G`, a number of
#   bytes); an invalid value is left to Compose, which rejects it.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/deploy/#resources
#     description: Compose Deploy Specification (resources)
#   - ref: https://docs.docker.com/reference/compose-file/services/#mem_reservation
#     description: Compose specification, services (mem_reservation)
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, the reservation is what the service is sure to get.
#     Docker applies it as a soft limit (the cgroup's `memory.low`), so without one none of the
#     service's memory is protected when the host runs short, and Swarm places the task on a
#     node whether or not it has memory left for it.
#   remediation: |
#     Set `deploy.resources.reservations.memory` (or the legacy `mem_reservation`, not both) to
#     the service's working set under normal load (for example `256m`), at most its memory
#     limit.
package rampart.checks.missing_memory_request.compose

import rego.v1

import data.rampart.lib.compose_resources as cr

deny contains finding if {
	# `=`, not `:=`: on regorus's RVM a `:=` of an undefined value does not end the body.
	finding = cr.missing_finding(input.name, input.service, "reservations", "memory", "memory reservation")
}
