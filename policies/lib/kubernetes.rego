# Helpers for Kubernetes policies: workload kinds, the pod spec and its path, containers with
# their paths, and securityContext inheritance (the container wins, the pod supplies defaults).
package rampart.lib.kubernetes

import rego.v1

workload_kinds := {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}

# Everything but Job and CronJob keeps pods running.
long_running_kinds := workload_kinds - {"Job", "CronJob"}

is_workload if input.kind in workload_kinds

is_long_running if input.kind in long_running_kinds

# The object's effective namespace.
namespace := ns if {
	ns := input.metadata.namespace
	is_string(ns)
}

namespace := data.rampart.params["default-namespace"] if not is_string(input.metadata.namespace)

# Path from the object root to its pod spec.
pod_spec_path := ["spec"] if input.kind == "Pod"

pod_spec_path := ["spec", "jobTemplate", "spec", "template", "spec"] if input.kind == "CronJob"

pod_spec_path := ["spec", "template", "spec"] if {
	input.kind in workload_kinds
	not input.kind in {"Pod", "CronJob"}
}

pod_spec := spec if {
	spec := object.get(input, pod_spec_path, {})
	is_object(spec)
}

pod_spec := {} if not has_pod_spec

has_pod_spec if is_object(object.get(input, pod_spec_path, {}))

# Path to the pod template's metadata (the object's own metadata for a Pod).
pod_metadata_path := ["metadata"] if input.kind == "Pod"

pod_metadata_path := array.concat(array.slice(pod_spec_path, 0, count(pod_spec_path) - 1), ["metadata"]) if input.kind != "Pod"

# The labels the workload's pods carry.
pod_labels := object.get(input, array.concat(pod_metadata_path, ["labels"]), {})

container_fields := ["containers", "initContainers", "ephemeralContainers"]

# Every container of the pod spec (init and ephemeral included), in the order of the lists and
# of their items (an array, so that no two containers are ever compared as values), each as
# {"container": <container>, "path": <path from the object root>, "field": <list name>,
#  "name": <name for messages>, "security": {<key>: {"path": <path>, "value": <value>}}}:
# `security` holds each field of `pod_level_security_fields` with its effective value (absent
# when unset) and `security_path`. On the RVM rampart computes this array once per resource in
# Rust (src/policy/facts.rs) and gives it at `data.rampart.facts.containers`; elsewhere (the
# interpreter, Rego tests) it is computed here, and the engine parity test holds both equal.
containers := data.rampart.facts.containers if is_array(data.rampart.facts.containers)

containers := computed_containers if not is_array(data.rampart.facts.containers)

computed_containers := [{
	"container": container,
	"path": path,
	"field": field,
	"name": name(container),
	"security": {key: fact |
		some key in pod_level_security_fields
		fact := object.union(
			{"path": security_path({"container": container, "path": path}, key)},
			{"value": v | v := effective_security(container, key)},
		)
	},
} |
	is_workload
	some field in container_fields
	is_array(pod_spec[field])
	some i, container in pod_spec[field]
	is_object(container)
	path := array.concat(pod_spec_path, [field, i])
]

# Regular containers only (probe and resource checks).
regular_containers := [c | some c in containers; c.field == "containers"]

# A container's name for messages.
name(container) := container.name if is_string(container.name)

name(container) := "<unnamed>" if not is_string(container.name)

# securityContext fields that a PodSecurityContext also has, and so may default for its
# containers. The others (privileged, allowPrivilegeEscalation, readOnlyRootFilesystem,
# capabilities, procMount) exist on containers only.
pod_level_security_fields := {"runAsUser", "runAsGroup", "runAsNonRoot", "seLinuxOptions", "seccompProfile", "windowsOptions", "appArmorProfile"}

# The effective value of a securityContext field: the container's, else the pod's default for
# the fields a pod can default.
effective_security(container, key) := container.securityContext[key]

effective_security(container, key) := pod_spec.securityContext[key] if {
	not sets_security(container, key)
	key in pod_level_security_fields
}

# The container's own securityContext sets `key` (to any value, null and false included).
sets_security(container, key) if {
	_ = container.securityContext[key]
}

# The pod's securityContext sets `key`, and `key` is one a pod may default for its containers.
pod_sets_security(key) if {
	key in pod_level_security_fields
	_ = pod_spec.securityContext[key]
}

# Path to where a securityContext field is set for a container: its own securityContext, or the
# pod's when only the pod sets it, or (unset) the container's securityContext entry to add.
security_path(c, key) := array.concat(pod_spec_path, ["securityContext", key]) if {
	not sets_security(c.container, key)
	pod_sets_security(key)
}

security_path(c, key) := array.concat(c.path, ["securityContext", key]) if {
	not pod_only_sets_security(c.container, key)
}

pod_only_sets_security(container, key) if {
	not sets_security(container, key)
	pod_sets_security(key)
}
