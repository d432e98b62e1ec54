# METADATA
# description: |
#   A replicated Deployment, StatefulSet, ReplicaSet or ReplicationController with no
#   `podAntiAffinity` term that keeps its own replicas apart. A term counts when it is
#   required (`requiredDuringSchedulingIgnoredDuringExecution`) or preferred
#   (`preferredDuringSchedulingIgnoredDuringExecution[*].podAffinityTerm`), its `topologyKey`
#   is in the `anti-affinity-topology-keys` parameter (default `kubernetes.io/hostname`), its
#   `labelSelector` matches the pod template's own labels (`matchLabels` and `matchExpressions`
#   with `In`, `NotIn`, `Exists`, `DoesNotExist`; a missing selector selects nothing, and
#   `mismatchLabelKeys` on a label the pod carries excludes its own replicas), and its namespaces
#   include the pod's own: no `namespaces` and no `namespaceSelector` means the own namespace, a
#   `namespaces` list must name it, a `namespaceSelector` of `{}` selects every namespace, and
#   any other `namespaceSelector` is matched against the Namespace object's labels when that
#   object is in the run (otherwise only its `kubernetes.io/metadata.name` requirements are
#   checked).
#
#   Replicated means an effective replica count of at least the `min-replicas` parameter
#   (default 2). When a HorizontalPodAutoscaler of the same namespace targets the workload
#   (`scaleTargetRef` kind and name, and API group when given), its `minReplicas` (default 1) is
#   the count, whatever `spec.replicas` says: the autoscaler owns the count and may scale down
#   to `minReplicas`. Otherwise `spec.replicas` is the count (absent = 1). DaemonSets (one pod
#   per node by construction), Pods, Jobs and CronJobs are not checked.
#
#   With no term at all, the finding points at where `podAntiAffinity` belongs. When terms exist
#   but none counts, it points at the field at fault of the nearest miss (the term whose
#   `labelSelector` matches another app's labels, the wrong `topologyKey`, the `namespaces` that
#   leave out its own namespace) and names the reason; the other terms that do not count and the
#   HorizontalPodAutoscaler that sets the count are related locations.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity
#     description: Inter-pod affinity and anti-affinity
#   - ref: https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
#     description: Horizontal Pod Autoscaling
# custom:
#   targets: [Deployment, StatefulSet, ReplicaSet, ReplicationController]
#   why: |
#     without anti-affinity the scheduler may put every replica on the same node,
#     and one node failure, drain or upgrade then takes the whole service down at once, however
#     many replicas it runs.
#   remediation: |
#     Add a preferred (or, with at least as many nodes as replicas, required) anti-affinity term
#     on `kubernetes.io/hostname` whose `labelSelector` selects the pod's own labels:
#
#         affinity:
#           podAntiAffinity:
#             preferredDuringSchedulingIgnoredDuringExecution:
#               - weight: 100
#                 podAffinityTerm:
#                   topologyKey: kubernetes.io/hostname
#                   labelSelector:
#                     matchLabels:
#                       app: web   # the pod template's own label
package rampart.checks.missing_pod_anti_affinity.kubernetes

import rego.v1

import data.rampart.lib.spread
import data.rampart.lib.spread.input_anti_affinity_terms

# Parameters with their defaults (`default`, not a second body asking whether the parameter is
# set: that was a function call per rule per resource).
default min_replicas := 2

min_replicas := data.rampart.params["min-replicas"]

default topology_keys := ["kubernetes.io/hostname"]

topology_keys := data.rampart.params["anti-affinity-topology-keys"]

# The replica count, undefined when the workload is not replicated; then its terms and the
# defects of each term (rules of this package: computed once per object).
replicas := spread.input_replicated(min_replicas)

terms := t if {
	replicas
	t := input_anti_affinity_terms
}

defects := [spread.anti_affinity_defects(input, t, topology_keys) | some t in terms]

# Some term is sound without its defects computed (see `spread.sound`).
some_term_sound if {
	some t in terms
	spread.sound(t, topology_keys)
}

# No podAntiAffinity term at all.
deny contains {"msg": msg, "path": ["spec", "template", "spec", "affinity", "podAntiAffinity"], "related": spread.replicas_related(input, replicas)} if {
	count(terms) == 0
	msg := sprintf("%s `%s` runs %s with no podAntiAffinity term on %s that selects its own pods, so nothing keeps its replicas apart", [
		input.kind, spread.name(input), spread.replicas_phrase(replicas), concat(" or ", topology_keys),
	])
}

# Terms exist but none counts: the nearest miss, at the field at fault.
deny contains {"msg": msg, "path": array.concat(miss.path, [miss_defects[0].field]), "related": related} if {
	count(terms) > 0
	not some_term_sound
	every d in defects {
		count(d) > 0
	}
	misses := spread.misses(terms, defects)
	[_, _, _, miss, miss_defects] := misses[0]
	msg := sprintf("%s `%s` runs %s, but its %s podAntiAffinity term %s, so nothing keeps its replicas apart", [
		input.kind, spread.name(input), spread.replicas_phrase(replicas), miss.kind, spread.reasons(miss_defects),
	])
	others := [{"msg": sprintf("this %s podAntiAffinity term does not keep the replicas apart either: it %s", [t.kind, spread.reasons(d)]), "path": array.concat(t.path, [d[0].field])} |
		some [_, _, _, t, d] in array.slice(misses, 1, count(misses))
	]
	related := array.concat(spread.replicas_related(input, replicas), others)
}
