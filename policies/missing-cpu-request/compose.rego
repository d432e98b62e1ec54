# METADATA
# description: |
#   a service without `deploy.resources.reservations.cpus`, or with `0` there
#   (which reserves nothing). Compose has no other key for a CPU reservation (`cpu_shares` is a
#   relative weight, not a reservation), and unlike Kubernetes it does not default a
#   reservation to the limit, so a service with a CPU limit but no reservation is reported.
#   The value may be a number or a string (`0.5`, `"0.5"`); an invalid value is left to
#   Compose, which rejects it.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/deploy/#resources
#     description: Compose Deploy Specification (resources)
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, the reservation is what the scheduler counts. Swarm
#     (`docker stack deploy`) places a task without one on a node whether or not it has CPU left
#     for it; plain `docker compose up` does not apply a CPU reservation, but the file then says
#     nothing about what the service needs once it is deployed to a cluster.
#   remediation: |
#     Set `deploy.resources.reservations.cpus` to what the service uses under normal load (for
#     example `"0.25"`), at most its CPU limit.
package rampart.checks.missing_cpu_request.compose

import rego.v1

import data.rampart.lib.compose_resources as cr

deny contains finding if {
	# `=`, not `:=`: on regorus's RVM a `:=` of an undefined value does not end the body.
	finding = cr.missing_finding(input.name, input.service, "reservations", "cpus", "CPU reservation")
}
