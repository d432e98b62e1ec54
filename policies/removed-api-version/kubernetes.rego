# METADATA
# description: |
#   An object whose `apiVersion` and `kind` the target Kubernetes version (param
#   `kubernetes-version`, default `1.31`, compared as major.minor) no longer serves. The
#   table is the Kubernetes deprecated API migration guide:
#
#   - 1.16: `extensions/v1beta1` DaemonSet, Deployment, ReplicaSet, NetworkPolicy and
#     PodSecurityPolicy; `apps/v1beta1` Deployment, StatefulSet, ReplicaSet;
#     `apps/v1beta2` DaemonSet, Deployment, StatefulSet, ReplicaSet;
#   - 1.22: Ingress in `extensions/v1beta1` and `networking.k8s.io/v1beta1`; `v1beta1` of
#     IngressClass, MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
#     CustomResourceDefinition, APIService, TokenReview, LocalSubjectAccessReview,
#     SelfSubjectAccessReview, SubjectAccessReview, SelfSubjectRulesReview,
#     CertificateSigningRequest, Lease, ClusterRole, ClusterRoleBinding, Role,
#     RoleBinding, PriorityClass, CSIDriver, CSINode, StorageClass and VolumeAttachment;
#   - 1.25: `batch/v1beta1` CronJob, `discovery.k8s.io/v1beta1` EndpointSlice,
#     `events.k8s.io/v1beta1` Event, `autoscaling/v2beta1` HorizontalPodAutoscaler,
#     `policy/v1beta1` PodDisruptionBudget and PodSecurityPolicy, `node.k8s.io/v1beta1`
#     RuntimeClass;
#   - 1.26: `autoscaling/v2beta2` HorizontalPodAutoscaler,
#     `flowcontrol.apiserver.k8s.io/v1beta1` FlowSchema and PriorityLevelConfiguration;
#   - 1.27: `storage.k8s.io/v1beta1` CSIStorageCapacity;
#   - 1.29: `flowcontrol.apiserver.k8s.io/v1beta2` FlowSchema and
#     PriorityLevelConfiguration;
#   - 1.32: `flowcontrol.apiserver.k8s.io/v1beta3` FlowSchema and
#     PriorityLevelConfiguration.
#
#   The message names the replacement served by the target version (for PodSecurityPolicy,
#   which has none, Pod Security Admission). Every kind is checked, and every item of a
#   `List` on its own.
# related_resources:
#   - ref: https://kubernetes.io/docs/reference/using-api/deprecation-guide/
#     description: "Deprecated API Migration Guide"
#   - ref: https://kubernetes.io/docs/reference/using-api/deprecation-policy/
#     description: "Kubernetes Deprecation Policy"
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/migrate-from-psp/
#     description: "Migrate from PodSecurityPolicy to the built-in PodSecurity admission controller"
# custom:
#   targets: ["*"]
#   why: |
#     the API server of the target version rejects the object
#     (`no matches for kind ... in version ...`), so the deploy fails, often in the middle
#     of an upgrade.
#   remediation: |
#     Change `apiVersion` to the replacement the message names and apply the field changes
#     the migration guide lists for it
#     (`kubectl convert -f <file> --output-version <group>/<version>` does it for you).
#     Replace a PodSecurityPolicy with Pod Security Admission labels on the namespaces
#     (`pod-security.kubernetes.io/enforce: restricted`).
package rampart.checks.removed_api_version.kubernetes

import rego.v1

import data.rampart.lib.numbers

deny contains {"msg": msg, "path": ["apiVersion"]} if {
	# Which apiVersion and kind were removed in which release, and what replaces them:
	# removed_apis.json beside this file (a data table, built once per run).
	table := data.rampart.tables.removed_apis
	# `=`, not `:=`: on regorus's RVM a `:=` of an undefined value does not end the body, and
	# most resources have no entry (CONTRIBUTING, "What costs time on the RVM").
	entry = table[input.apiVersion][input.kind]
	target := target_version
	version_number(entry.removed) <= version_number(target)
	msg := sprintf("%s %s is not served since Kubernetes %s (target %s); %s", [input.apiVersion, input.kind, entry.removed, target, replacement(entry, target)])
}

# The target version as "major.minor": "1.31", "v1.31" and "1.31.4" all give "1.31"; an
# unreadable value falls back to the default, 1.31.
target_version := parsed_target_version

target_version := "1.31" if not parsed_target_version

# The `kubernetes-version` parameter (default 1.31) as "major.minor"; undefined when unreadable.
parsed_target_version := v if {
	raw := object.get(data.rampart.params, "kubernetes-version", "1.31")
	parts := split(trim_prefix(sprintf("%v", [raw]), "v"), ".")
	numbers.natural(parts[0])
	numbers.natural(parts[1])
	v := sprintf("%s.%s", [parts[0], parts[1]])
}

# "1.31" -> 1031, so versions compare as numbers (1.9 < 1.16).
version_number(v) := (to_number(parts[0]) * 1000) + to_number(parts[1]) if parts := split(v, ".")

# PodSecurityPolicy's advice, else the newest replacement the target serves (`use` lists them
# newest first, each with the version that introduced it).
replacement(entry, _) := entry.advice if entry.advice

replacement(entry, target) := sprintf("use %s", [api]) if {
	not entry.advice
	served := [u.api | some u in entry.use; version_number(u.since) <= version_number(target)]
	api := served[0]
}
