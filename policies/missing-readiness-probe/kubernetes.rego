# METADATA
# description: |
#   A container of a long-running workload (everything but Job and CronJob) without a
#   `readinessProbe`. Init and ephemeral containers are not probed and are not checked.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
#     description: Configure Liveness, Readiness and Startup Probes
#   - ref: https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/
#     description: Liveness, Readiness, and Startup Probes
# custom:
#   targets: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController]
#   why: |
#     without a readiness probe a pod counts as ready as soon as its containers
#     start, so Services send it traffic before the application can serve it, and during a
#     rolling update old pods are removed before the new ones can take over.
#   remediation: |
#     Add a `readinessProbe` (`httpGet`, `tcpSocket`, `grpc` or `exec`) that succeeds only when
#     the container can serve requests, on a port the container declares.
package rampart.checks.missing_readiness_probe.kubernetes

import rego.v1

import data.rampart.lib.kubernetes.is_long_running
import data.rampart.lib.kubernetes.regular_containers

deny contains {"msg": msg, "path": array.concat(c.path, ["readinessProbe"])} if {
	is_long_running
	some c in regular_containers
	# `readinessProbe: null` is no probe.
	object.get(c.container, "readinessProbe", null) == null
	msg := sprintf("container `%s` has no readinessProbe", [c.name])
}
