# METADATA
# description: |
#   a service with `deploy.replicas` of at least `min-replicas` (default 2) in
#   `replicated` mode (the default; `global` runs one task per node) whose
#   `deploy.placement.max_replicas_per_node` does not keep its replicas apart: it is not set,
#   is 0 (Swarm's "no limit"), or is at least `deploy.replicas`, so that every replica may land
#   on one node. A limit below the replica count (`1` for one replica per node) passes. Numbers
#   may be written as strings (`replicas: "3"`); a value that is not a number is left to
#   `invalid-compose`. `scale` is not read: it runs containers on the one Docker host, where
#   placement does not apply.
#   Placement is applied when the file is deployed to a swarm (`docker stack deploy`);
#   `docker compose up` runs every replica on its one host whatever it says.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/deploy/#placement
#     description: Compose Deploy Specification (placement, max_replicas_per_node)
#   - ref: https://docs.docker.com/reference/cli/docker/service/create/
#     description: "docker service create: --replicas-max-per-node (0 means no limit)"
# custom:
#   targets: [compose-service]
#   why: |
#     as for Kubernetes, replicas that share a node fail together when that node
#     fails or is drained, so the service is down although it has several replicas.
#   remediation: |
#     Set `deploy.placement.max_replicas_per_node: 1` (one replica per node; the swarm needs
#     at least `replicas` nodes that satisfy the constraints, or the remaining replicas stay
#     pending), or a value below `deploy.replicas` to spread them over at least two nodes.
package rampart.checks.missing_pod_anti_affinity.compose

import rego.v1

import data.rampart.lib.compose_deploy
import data.rampart.lib.compose_deploy.service_replicas

path := ["deploy", "placement", "max_replicas_per_node"]

deny contains {"msg": msg, "path": path} if {
	replicas = service_replicas
	not has_limit
	msg := sprintf("service `%s` runs %d replicas with no `deploy.placement.max_replicas_per_node`: they may all run on one node", [input.name, replicas])
}

deny contains {"msg": msg, "path": path} if {
	replicas = service_replicas
	limit := compose_deploy.number(input.service.deploy.placement.max_replicas_per_node)
	limit < 1
	msg := sprintf("service `%s` runs %d replicas with `max_replicas_per_node: %v`, which is no limit: they may all run on one node", [input.name, replicas, limit])
}

deny contains {"msg": msg, "path": path} if {
	replicas = service_replicas
	limit := compose_deploy.number(input.service.deploy.placement.max_replicas_per_node)
	limit >= replicas
	msg := sprintf("service `%s` runs %d replicas with `max_replicas_per_node: %v`, which lets them all run on one node", [input.name, replicas, limit])
}

has_limit if input.service.deploy.placement.max_replicas_per_node != null
