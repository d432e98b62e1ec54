package rampart.checks.removed_api_version.kubernetes_test

import rego.v1

import data.rampart.checks.removed_api_version.kubernetes as check

object(api_version, kind) := {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}

findings(api_version, kind, version) := results if {
	results := check.deny with input as object(api_version, kind) with data.rampart.params as {"kubernetes-version": version}
}

test_pod_security_policy if {
	results := check.deny with input as object("policy/v1beta1", "PodSecurityPolicy") with data.rampart.params as {"kubernetes-version": "1.31"}
	results == {{
		"msg": "policy/v1beta1 PodSecurityPolicy is not served since Kubernetes 1.25 (target 1.31); use Pod Security Admission namespace labels",
		"path": ["apiVersion"],
	}}
}

test_default_target_is_1_31 if {
	results := check.deny with input as object("extensions/v1beta1", "Ingress") with data.rampart.params as {}
	some r in results
	r.msg == "extensions/v1beta1 Ingress is not served since Kubernetes 1.22 (target 1.31); use networking.k8s.io/v1"
}

test_removed_in_1_32_does_not_fire_on_the_default if {
	count(check.deny) == 0 with input as object("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema") with data.rampart.params as {}
	count(findings("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.31")) == 0
}

test_removed_in_1_32_fires_on_1_32 if {
	results := findings("flowcontrol.apiserver.k8s.io/v1beta3", "PriorityLevelConfiguration", "1.32")
	results == {{
		"msg": "flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration is not served since Kubernetes 1.32 (target 1.32); use flowcontrol.apiserver.k8s.io/v1",
		"path": ["apiVersion"],
	}}
}

test_versions_compare_as_numbers if {
	# 1.9 < 1.16 < 1.100 as versions, not as strings.
	count(findings("apps/v1beta1", "Deployment", "1.9")) == 0
	count(findings("apps/v1beta1", "Deployment", "1.15")) == 0
	count(findings("apps/v1beta1", "Deployment", "1.16")) == 1
	count(findings("apps/v1beta1", "Deployment", "1.100")) == 1
	count(findings("apps/v1beta1", "Deployment", "2.0")) == 1
	count(findings("batch/v1beta1", "CronJob", "1.24")) == 0
	count(findings("batch/v1beta1", "CronJob", "1.25")) == 1
}

test_version_spellings if {
	count(findings("batch/v1beta1", "CronJob", "v1.25")) == 1
	count(findings("batch/v1beta1", "CronJob", "1.25.3")) == 1
	some r in findings("batch/v1beta1", "CronJob", "v1.28.1")
	r.msg == "batch/v1beta1 CronJob is not served since Kubernetes 1.25 (target 1.28); use batch/v1"
}

test_unreadable_version_falls_back_to_default if {
	count(findings("autoscaling/v2beta2", "HorizontalPodAutoscaler", "latest")) == 1
	count(findings("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "latest")) == 0
}

test_replacement_is_what_the_target_serves if {
	some early in findings("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.27")
	endswith(early.msg, "; use flowcontrol.apiserver.k8s.io/v1beta3")
	some later in findings("flowcontrol.apiserver.k8s.io/v1beta1", "FlowSchema", "1.31")
	endswith(later.msg, "; use flowcontrol.apiserver.k8s.io/v1")
	some v1beta2 in findings("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.29")
	endswith(v1beta2.msg, "; use flowcontrol.apiserver.k8s.io/v1")
}

test_every_release_of_the_guide if {
	every case in [
		["extensions/v1beta1", "DaemonSet", "1.16", "apps/v1"],
		["extensions/v1beta1", "Deployment", "1.16", "apps/v1"],
		["extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1"],
		["extensions/v1beta1", "NetworkPolicy", "1.16", "networking.k8s.io/v1"],
		["apps/v1beta2", "DaemonSet", "1.16", "apps/v1"],
		["apps/v1beta2", "StatefulSet", "1.16", "apps/v1"],
		["apps/v1beta1", "StatefulSet", "1.16", "apps/v1"],
		["networking.k8s.io/v1beta1", "Ingress", "1.22", "networking.k8s.io/v1"],
		["networking.k8s.io/v1beta1", "IngressClass", "1.22", "networking.k8s.io/v1"],
		["apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", "1.22", "apiextensions.k8s.io/v1"],
		["admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", "1.22", "admissionregistration.k8s.io/v1"],
		["apiregistration.k8s.io/v1beta1", "APIService", "1.22", "apiregistration.k8s.io/v1"],
		["authentication.k8s.io/v1beta1", "TokenReview", "1.22", "authentication.k8s.io/v1"],
		["authorization.k8s.io/v1beta1", "SubjectAccessReview", "1.22", "authorization.k8s.io/v1"],
		["certificates.k8s.io/v1beta1", "CertificateSigningRequest", "1.22", "certificates.k8s.io/v1"],
		["coordination.k8s.io/v1beta1", "Lease", "1.22", "coordination.k8s.io/v1"],
		["rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", "1.22", "rbac.authorization.k8s.io/v1"],
		["scheduling.k8s.io/v1beta1", "PriorityClass", "1.22", "scheduling.k8s.io/v1"],
		["storage.k8s.io/v1beta1", "StorageClass", "1.22", "storage.k8s.io/v1"],
		["storage.k8s.io/v1beta1", "CSIDriver", "1.22", "storage.k8s.io/v1"],
		["discovery.k8s.io/v1beta1", "EndpointSlice", "1.25", "discovery.k8s.io/v1"],
		["events.k8s.io/v1beta1", "Event", "1.25", "events.k8s.io/v1"],
		["autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.25", "autoscaling/v2"],
		["policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1"],
		["node.k8s.io/v1beta1", "RuntimeClass", "1.25", "node.k8s.io/v1"],
		["autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.26", "autoscaling/v2"],
		["storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.27", "storage.k8s.io/v1"],
		["flowcontrol.apiserver.k8s.io/v1beta2", "PriorityLevelConfiguration", "1.29", "flowcontrol.apiserver.k8s.io/v1"],
	] {
		removed_at(case[0], case[1], case[2], case[3])
	}
}

# Served one minor before `version`, removed at `version`, with `use` as the advice.
removed_at(api_version, kind, version, use) if {
	parts := split(version, ".")
	before := sprintf("%s.%d", [parts[0], to_number(parts[1]) - 1])
	count(findings(api_version, kind, before)) == 0
	results := findings(api_version, kind, version)
	count(results) == 1
	some r in results
	r.msg == sprintf("%s %s is not served since Kubernetes %s (target %s); use %s", [api_version, kind, version, version, use])
}

test_extensions_pod_security_policy if {
	some r in findings("extensions/v1beta1", "PodSecurityPolicy", "1.16")
	r.msg == "extensions/v1beta1 PodSecurityPolicy is not served since Kubernetes 1.16 (target 1.16); use Pod Security Admission namespace labels"
}

test_served_versions_are_fine if {
	every case in [
		["apps/v1", "Deployment"], ["networking.k8s.io/v1", "Ingress"], ["policy/v1", "PodDisruptionBudget"],
		["autoscaling/v2", "HorizontalPodAutoscaler"], ["batch/v1", "CronJob"], ["v1", "Service"],
		["flowcontrol.apiserver.k8s.io/v1", "FlowSchema"],
		# Same kind name in a custom resource group: not Kubernetes' API.
		["example.com/v1beta1", "Deployment"],
		# A removed group/version but a kind it never had in the table.
		["extensions/v1beta1", "Scale"],
	] {
		count(findings(case[0], case[1], "1.40")) == 0
	}
}

# The parameter read as "major.minor", and the default for a missing, null, false or
# unreadable one.
test_target_version_of_odd_parameters if {
	check.target_version == "1.31" with data.rampart.params as {}
	every version in [null, false, true, "", "1", "v", "1.x", "x.1", [1, 28], {"major": 1}] {
		check.target_version == "1.31" with data.rampart.params as {"kubernetes-version": version}
	}
	check.target_version == "1.28" with data.rampart.params as {"kubernetes-version": 1.28}
	check.target_version == "1.28" with data.rampart.params as {"kubernetes-version": "v1.28.0-rc.1"}
	check.target_version == "2.0" with data.rampart.params as {"kubernetes-version": "2.0"}
}
