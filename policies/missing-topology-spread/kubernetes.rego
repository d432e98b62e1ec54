# METADATA
# description: |
#   A replicated Deployment, StatefulSet, ReplicaSet or ReplicationController with no
#   `topologySpreadConstraints` entry that spreads its own replicas: an entry counts when its
#   `topologyKey` is in the `spread-topology-keys` parameter (default
#   `topology.kubernetes.io/zone`) and its `labelSelector` matches the pod template's own labels
#   (`matchLabels` and `matchExpressions` with `In`, `NotIn`, `Exists`, `DoesNotExist`; a missing
#   selector selects nothing). Either `whenUnsatisfiable` counts. The scheduler's cluster-wide
#   default constraints are not visible in manifests and are not counted. A pod anti-affinity
#   term (required or preferred) counts as well when its `topologyKey` is in
#   `spread-topology-keys` and its `labelSelector` matches the pod's own labels (in the pod's
#   own namespace): it keeps the replicas apart over that key too.
#
#   Replicated means an effective replica count of at least the `min-replicas` parameter
#   (default 2). When a HorizontalPodAutoscaler of the same namespace targets the workload
#   (`scaleTargetRef` kind and name, and API group when given), its `minReplicas` (default 1) is
#   the count, whatever `spec.replicas` says: the autoscaler owns the count and may scale down
#   to `minReplicas`. Otherwise `spec.replicas` is the count (absent = 1). DaemonSets, Pods,
#   Jobs and CronJobs are not checked.
#
#   With no constraint at all, the finding points at the pod spec, where
#   `topologySpreadConstraints` belongs. When constraints exist but none counts, it points at the
#   field at fault of the nearest miss (a `labelSelector` that matches another app's labels, or
#   the wrong `topologyKey`) and names the reason; the other entries that do not count and the
#   HorizontalPodAutoscaler that sets the count are related locations.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
#     description: Pod Topology Spread Constraints
#   - ref: https://kubernetes.io/docs/reference/labels-annotations-taints/#topologykubernetesiozone
#     description: The topology.kubernetes.io/zone node label
# custom:
#   targets: [Deployment, StatefulSet, ReplicaSet, ReplicationController]
#   why: |
#     replicas that all run in one zone go down together when that zone fails;
#     pod anti-affinity on the node alone does not spread them across zones.
#   remediation: |
#     Add a zone spread constraint whose `labelSelector` selects the pod's own labels:
#
#         topologySpreadConstraints:
#           - maxSkew: 1
#             topologyKey: topology.kubernetes.io/zone
#             whenUnsatisfiable: ScheduleAnyway   # or DoNotSchedule to enforce it
#             labelSelector:
#               matchLabels:
#                 app: web   # the pod template's own label
package rampart.checks.missing_topology_spread.kubernetes

import rego.v1

import data.rampart.lib.spread
import data.rampart.lib.spread.input_anti_affinity_terms
import data.rampart.lib.spread.input_spread_constraints

# Parameters with their defaults (`default`, not a second body asking whether the parameter is
# set: that was a function call per rule per resource).
default min_replicas := 2

min_replicas := data.rampart.params["min-replicas"]

default topology_keys := ["topology.kubernetes.io/zone"]

topology_keys := data.rampart.params["spread-topology-keys"]

# The replica count, undefined when the workload is not replicated; then its constraints and the
# defects of each (rules of this package: computed once per object).
replicas := spread.input_replicated(min_replicas)

constraints := c if {
	replicas
	c := input_spread_constraints
}

defects := [spread.spread_defects(input, c, topology_keys) | some c in constraints]

# Some constraint is sound without its defects computed (see `spread.sound`).
some_constraint_sound if {
	some c in constraints
	spread.sound(c, topology_keys)
}

keys := concat(" or ", topology_keys)

# A podAntiAffinity term (required or preferred) whose topologyKey is one of the spread keys
# and whose selector matches the pod's own labels keeps the replicas apart over that key too.
anti_affinity_spreads if {
	replicas
	some t in input_anti_affinity_terms
	spread.sound(t, topology_keys)
}

anti_affinity_spreads if {
	replicas
	some t in input_anti_affinity_terms
	count(spread.anti_affinity_defects(input, t, topology_keys)) == 0
}

# No constraint at all.
deny contains {"msg": msg, "path": ["spec", "template", "spec", "topologySpreadConstraints"], "related": spread.replicas_related(input, replicas)} if {
	count(constraints) == 0
	not anti_affinity_spreads
	msg := sprintf("%s `%s` runs %s with no topologySpreadConstraints entry on %s that selects its own pods, so nothing spreads its replicas over %s", [
		input.kind, spread.name(input), spread.replicas_phrase(replicas), keys, keys,
	])
}

# Constraints exist but none counts: the nearest miss, at the field at fault.
deny contains {"msg": msg, "path": array.concat(miss.path, [miss_defects[0].field]), "related": related} if {
	count(constraints) > 0
	not anti_affinity_spreads
	not some_constraint_sound
	every d in defects {
		count(d) > 0
	}
	misses := spread.misses(constraints, defects)
	[_, _, _, miss, miss_defects] := misses[0]
	msg := sprintf("%s `%s` runs %s, but its topologySpreadConstraints entry %s, so nothing spreads its replicas over %s", [
		input.kind, spread.name(input), spread.replicas_phrase(replicas), spread.reasons(miss_defects), keys,
	])
	others := [{"msg": sprintf("this topologySpreadConstraints entry does not spread the replicas either: it %s", [spread.reasons(d)]), "path": array.concat(t.path, [d[0].field])} |
		some [_, _, _, t, d] in array.slice(misses, 1, count(misses))
	]
	related := array.concat(spread.replicas_related(input, replicas), others)
}
