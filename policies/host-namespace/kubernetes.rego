# METADATA
# description: |
#   A workload whose pod spec sets `hostNetwork`, `hostPID` or `hostIPC` to `true`; each field
#   set is reported on its own.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
#     description: Pod Security Standards, baseline profile (Host Namespaces)
#   - ref: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#hosts-namespaces
#     description: PodSpec API reference (hostNetwork, hostPID, hostIPC)
# custom:
#   targets: [workload]
#   why: |
#     with `hostNetwork` the pod sees every interface of the node, can bind its
#     ports and reach services listening on localhost, and bypasses NetworkPolicies; with `hostPID`
#     it sees and can signal or trace every process on the node; with `hostIPC` it can read and
#     write the shared memory of the node's processes. Each one is a step from the container to the
#     node.
#   remediation: |
#     Remove `hostNetwork`, `hostPID` and `hostIPC` from the pod spec (they default to `false`).
#     Expose the pod through a Service instead of the node's network. When the containers of
#     one pod only need to see each other's processes, set `shareProcessNamespace: true`.
package rampart.checks.host_namespace.kubernetes

import rego.v1

import data.rampart.lib.kubernetes.is_workload
import data.rampart.lib.kubernetes.pod_spec
import data.rampart.lib.kubernetes.pod_spec_path

namespaces := {"hostNetwork": "network", "hostPID": "PID", "hostIPC": "IPC"}

deny contains {"msg": msg, "path": array.concat(pod_spec_path, [field])} if {
	is_workload
	some field, namespace in namespaces
	pod_spec[field] == true
	msg := sprintf("%s `%s` shares the host's %s namespace (%s: true)", [input.kind, object_name, namespace, field])
}

object_name := name if {
	name := input.metadata.name
	is_string(name)
}

object_name := "<unnamed>" if not is_string(input.metadata.name)
