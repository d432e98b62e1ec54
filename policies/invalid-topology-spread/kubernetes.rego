# METADATA
# description: |
#   A `topologySpreadConstraints` entry of a workload's pod spec that the API server rejects:
#   `maxSkew` missing, not an integer or less than 1; `whenUnsatisfiable` missing or other than
#   `DoNotSchedule` or `ScheduleAnyway`; `minDomains` not an integer of at least 1, or set
#   while `whenUnsatisfiable` is `ScheduleAnyway` (it is only allowed with `DoNotSchedule`); a
#   missing or empty `topologyKey`; `nodeAffinityPolicy` or `nodeTaintsPolicy` other than
#   `Honor` or `Ignore`; or two entries with the same `topologyKey` and `whenUnsatisfiable`.
#   Each problem is reported at the offending field.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#topologyspreadconstraints-field
#     description: Pod Topology Spread Constraints, the topologySpreadConstraints field
#   - ref: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#scheduling
#     description: Pod API reference, scheduling fields
# custom:
#   targets: [workload]
#   why: |
#     the API server refuses the whole object, so the workload is not created or
#     updated; with a template rendered in CI the error only shows up at deploy time.
#   remediation: |
#     Give every constraint an integer `maxSkew` of at least 1, a non-empty `topologyKey` (a node
#     label such as `topology.kubernetes.io/zone`) and `whenUnsatisfiable: DoNotSchedule` or
#     `ScheduleAnyway`; set `minDomains` (at least 1) only together with `DoNotSchedule`; use one
#     entry per `topologyKey` and `whenUnsatisfiable`.
package rampart.checks.invalid_topology_spread.kubernetes

import rego.v1

import data.rampart.lib.kubernetes.is_workload
import data.rampart.lib.kubernetes.pod_spec
import data.rampart.lib.kubernetes.pod_spec_path

# Most pod specs have no constraints: this cheap test keeps them from evaluating the Kubernetes
# library (regorus evaluates every rule of a package once one of them is referenced).
has_constraints if input.spec.topologySpreadConstraints

has_constraints if input.spec.template.spec.topologySpreadConstraints

has_constraints if input.spec.jobTemplate.spec.template.spec.topologySpreadConstraints

base := array.concat(pod_spec_path, ["topologySpreadConstraints"]) if has_constraints

subject(i) := sprintf("topologySpreadConstraints[%d] of %s `%s`", [i, input.kind, object.get(input, ["metadata", "name"], "<unnamed>")])

constraints contains [i, c] if {
	has_constraints
	is_workload
	is_array(pod_spec.topologySpreadConstraints)
	some i, c in pod_spec.topologySpreadConstraints
	is_object(c)
}

positive_integer(x) if {
	is_number(x)
	x == floor(x)
	x >= 1
}

deny contains {"msg": msg, "path": array.concat(base, [i, "maxSkew"])} if {
	some [i, c] in constraints
	not positive_integer(object.get(c, "maxSkew", null))
	msg := sprintf("%s %s, which the API server rejects: maxSkew must be an integer of at least 1", [subject(i), has(c, "maxSkew")])
}

deny contains {"msg": msg, "path": array.concat(base, [i, "topologyKey"])} if {
	some [i, c] in constraints
	not non_empty_string(object.get(c, "topologyKey", null))
	msg := sprintf("%s %s, which the API server rejects: topologyKey must name a node label", [subject(i), has(c, "topologyKey")])
}

deny contains {"msg": msg, "path": array.concat(base, [i, "whenUnsatisfiable"])} if {
	some [i, c] in constraints
	not object.get(c, "whenUnsatisfiable", null) in {"DoNotSchedule", "ScheduleAnyway"}
	msg := sprintf("%s %s, which the API server rejects: it must be DoNotSchedule or ScheduleAnyway", [subject(i), has(c, "whenUnsatisfiable")])
}

deny contains {"msg": msg, "path": array.concat(base, [i, "minDomains"])} if {
	some [i, c] in constraints
	domains := object.get(c, "minDomains", null)
	domains != null
	not positive_integer(domains)
	msg := sprintf("%s %s, which the API server rejects: minDomains must be an integer of at least 1", [subject(i), has(c, "minDomains")])
}

deny contains {"msg": msg, "path": array.concat(base, [i, "minDomains"])} if {
	some [i, c] in constraints
	positive_integer(object.get(c, "minDomains", null))
	c.whenUnsatisfiable == "ScheduleAnyway"
	msg := sprintf("%s sets minDomains %v with whenUnsatisfiable ScheduleAnyway, which the API server rejects: minDomains is only allowed with DoNotSchedule", [subject(i), c.minDomains])
}

deny contains {"msg": msg, "path": array.concat(base, [i, field])} if {
	some [i, c] in constraints
	some field in ["nodeAffinityPolicy", "nodeTaintsPolicy"]
	value := object.get(c, field, null)
	value != null
	not value in {"Honor", "Ignore"}
	msg := sprintf("%s %s, which the API server rejects: it must be Honor or Ignore", [subject(i), has(c, field)])
}

# The API server rejects two entries with the same topologyKey and whenUnsatisfiable; the later
# one is reported, with the first as a related location.
deny contains {"msg": msg, "path": array.concat(base, [i, "topologyKey"]), "related": [related]} if {
	some [i, c] in constraints
	non_empty_string(c.topologyKey)
	c.whenUnsatisfiable in {"DoNotSchedule", "ScheduleAnyway"}
	first := min({j |
		some [j, other] in constraints
		other.topologyKey == c.topologyKey
		other.whenUnsatisfiable == c.whenUnsatisfiable
	})
	first < i
	msg := sprintf("%s repeats topologyKey %s with whenUnsatisfiable %s, which the API server rejects: each pair may appear once", [subject(i), c.topologyKey, c.whenUnsatisfiable])
	related := {
		"msg": sprintf("topologySpreadConstraints[%d] already uses topologyKey %s with %s", [first, c.topologyKey, c.whenUnsatisfiable]),
		"path": array.concat(base, [first, "topologyKey"]),
	}
}

non_empty_string(s) if {
	is_string(s)
	s != ""
}

# "has maxSkew 0", "has no maxSkew", "has an empty topologyKey", "has whenUnsatisfiable `Never`".
has(c, field) := sprintf("has no %s", [field]) if unset(c, field)

has(c, field) := sprintf("has an empty %s", [field]) if {
	not unset(c, field)
	empty(c, field)
}

has(c, field) := sprintf("has %s `%v`", [field, c[field]]) if {
	not unset(c, field)
	not empty(c, field)
	is_string(c[field])
}

has(c, field) := sprintf("has %s %v", [field, c[field]]) if {
	not unset(c, field)
	not empty(c, field)
	not is_string(c[field])
}

# The constraint lacks the field or sets it to null.
unset(c, field) if object.get(c, field, null) == null

# The constraint sets the field to the empty string.
empty(c, field) if c[field] == ""
