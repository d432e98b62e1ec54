# METADATA
# description: |
#   A container of a long-running workload (everything but Job and CronJob) without a
#   `livenessProbe`. Init and ephemeral containers are not probed and are not checked.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
#     description: Configure Liveness, Readiness and Startup Probes
# custom:
#   targets: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController]
#   why: |
#     without a liveness probe the kubelet cannot tell a deadlocked process from
#     a healthy one, and a hung replica keeps its place until someone notices.
#   remediation: |
#     Add a `livenessProbe` (`httpGet`, `tcpSocket`, `grpc` or `exec`) that fails only when the
#     process cannot recover by itself, on a port the container declares.
package rampart.checks.missing_liveness_probe.kubernetes

import rego.v1

import data.rampart.lib.kubernetes.is_long_running
import data.rampart.lib.kubernetes.regular_containers

deny contains {"msg": msg, "path": array.concat(c.path, ["livenessProbe"])} if {
	is_long_running
	some c in regular_containers
	not c.container.livenessProbe
	msg := sprintf("container `%s` has no livenessProbe", [c.name])
}
