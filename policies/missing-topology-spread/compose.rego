# METADATA
# description: |
#   a service with `deploy.replicas` of at least `min-replicas` (default 2) in
#   `replicated` mode (the default) whose `deploy.placement.preferences` has no entry with a
#   non-empty `spread` (e.g. `- spread: node.labels.zone`), so Swarm does not spread its replicas
#   across the values of a node label. Any label passes: Swarm has no standard zone label.
#   Numbers may be written as strings (`replicas: "3"`); `scale` is not read (it runs containers
#   on the one Docker host, where placement does not apply).
#   Placement is applied when the file is deployed to a swarm (`docker stack deploy`);
#   `docker compose up` runs every replica on its one host whatever it says.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/deploy/#placement
#     description: Compose Deploy Specification (placement, preferences)
#   - ref: https://docs.docker.com/engine/swarm/services/#placement-preferences
#     description: "Swarm services: placement preferences"
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, replicas that share a zone, rack or availability
#     domain go down together when it fails.
#   remediation: |
#     Label the swarm's nodes with their zone (`docker node update --label-add zone=eu-1a
#     <node>`) and add `deploy.placement.preferences: [{spread: node.labels.zone}]`.
package rampart.checks.missing_topology_spread.compose

import rego.v1

import data.rampart.lib.compose_deploy.service_replicas

deny contains {"msg": msg, "path": ["deploy", "placement", "preferences"]} if {
	replicas = service_replicas
	not has_spread
	msg := sprintf("service `%s` runs %d replicas with no `deploy.placement.preferences` spread: they are not spread across zones", [input.name, replicas])
}

has_spread if {
	is_array(input.service.deploy.placement.preferences)
	some preference in input.service.deploy.placement.preferences
	is_object(preference)
	is_string(preference.spread)
	trim_space(preference.spread) != ""
}
