# METADATA
# description: |
#   A long-running workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
#   ReplicationController) whose pods no NetworkPolicy of its own namespace selects for
#   `Ingress`; and, when the `require-egress` parameter is true, for `Egress` (one finding per
#   missing direction). A NetworkPolicy selects the pods when its `spec.podSelector` (a label
#   selector: `matchLabels`, `matchExpressions` with `In`, `NotIn`, `Exists`, `DoesNotExist`; `{}`
#   selects every pod of the namespace) matches the pod template's labels, and it applies to the
#   directions in `policyTypes`, which defaults to `Ingress` plus `Egress` when the policy has
#   `egress` rules. A policy that lists a direction with no rules for it is a deny-all and counts:
#   the pods are isolated. NetworkPolicies of other namespaces never count.
#
#   Pods on the host's network (`hostNetwork: true`) are not reported: NetworkPolicy does not
#   apply to them, and `host-namespace` already reports them.
#
#   The finding points at the pod template's labels. The NetworkPolicies of the namespace that
#   do not select the pods (at most five) are related locations, each with what it selects.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/
#     description: Network Policies
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies
#     description: Network Policies, default policies (default deny)
# custom:
#   targets: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController]
#   why: |
#     a pod that no NetworkPolicy selects accepts connections from every pod in
#     the cluster (and, without egress isolation, can connect anywhere), so one compromised pod
#     can reach it; NetworkPolicies only restrict the pods they select.
#   remediation: |
#     Start each namespace from a default-deny policy that selects every pod, then allow the
#     flows each workload needs with policies that select its pods' labels:
#
#         apiVersion: networking.k8s.io/v1
#         kind: NetworkPolicy
#         metadata:
#           name: default-deny
#         spec:
#           podSelector: {}
#           policyTypes: [Ingress, Egress]
package rampart.checks.missing_network_policy.kubernetes

import rego.v1

import data.rampart.lib.network
import data.rampart.lib.selectors
import data.rampart.lib.kubernetes.is_long_running
import data.rampart.lib.kubernetes.namespace
import data.rampart.lib.kubernetes.pod_labels
import data.rampart.lib.kubernetes.pod_metadata_path
import data.rampart.lib.kubernetes.pod_spec

require_egress if data.rampart.params["require-egress"] == true

directions contains "Ingress"

directions contains "Egress" if require_egress

consequence := {
	"Ingress": "so any pod in the cluster can connect to them",
	"Egress": "so they can connect anywhere",
}

deny contains {"msg": msg, "path": array.concat(pod_metadata_path, ["labels"]), "related": related} if {
	is_long_running
	not host_network
	ns := namespace
	labels := pod_labels
	isolated := isolated_directions
	some direction in directions
	not direction in isolated
	msg := sprintf("no NetworkPolicy in namespace `%s` selects the pods of %s `%s` (%s) for %s, %s", [
		ns, input.kind, object.get(input, ["metadata", "name"], "<unnamed>"),
		selectors.labels_string(labels), direction, consequence[direction],
	])
	related := [r |
		some [name, api_version, policy] in network.first_policies(ns, 5)
		r := unselected(name, api_version, policy, labels, ns)
	]
}

# NetworkPolicy does not apply to pods on the host's network (host-namespace reports them).
host_network if pod_spec.hostNetwork == true

# The directions NetworkPolicies of the namespace isolate these pods for:
# `network.isolating_directions(namespace, pod_labels)`. On the RVM rampart computes it once per
# resource in Rust (`data.rampart.facts.isolated_directions`, src/policy/facts.rs, with the Rust
# twin of `selectors.matches`; a test holds both alike); elsewhere it is computed here.
isolated_directions := data.rampart.facts.isolated_directions if is_set(data.rampart.facts.isolated_directions)

isolated_directions := network.isolating_directions(namespace, pod_labels) if {
	not is_set(data.rampart.facts.isolated_directions)
}

unselected(name, api_version, policy, labels, ns) := {
	"msg": sprintf("this NetworkPolicy selects these pods, but only for %s", [concat(" and ", sort(network.policy_types(policy)))]),
	"path": ["spec", "policyTypes"],
	"object": {"apiVersion": api_version, "kind": "NetworkPolicy", "name": name, "namespace": ns},
} if {
	network.selects(policy, labels)
}

unselected(name, api_version, policy, labels, ns) := {
	"msg": sprintf("this NetworkPolicy selects %s, not these pods", [selectors.describe(network.pod_selector(policy))]),
	"path": ["spec", "podSelector"],
	"object": {"apiVersion": api_version, "kind": "NetworkPolicy", "name": name, "namespace": ns},
} if not network.selects(policy, labels)
