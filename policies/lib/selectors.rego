# Label selectors: whether one selects a set of labels, how one reads in a message, and the labels
# of a namespace as a namespaceSelector sees them.
package rampart.lib.selectors

import rego.v1

# Functions only: see lib/spread.rego on why libraries avoid rules. `kubernetes.io/metadata.name`
# is the label the API server sets on every Namespace (Kubernetes 1.21+), equal to its name.
#
# No `else` here, nor in any library a built-in check uses: each function is a set of
# definitions whose conditions exclude each other, so that the checks run on the RVM
# (CONTRIBUTING.md).

# An object, or {} for null and anything else.
object_or_empty(x) := x if is_object(x)

object_or_empty(x) := {} if not is_object(x)

# An array, or [] for null and anything else.
array_or_empty(x) := x if is_array(x)

array_or_empty(x) := [] if not is_array(x)

# Whether a LabelSelector selects `labels`, as the API server decides it: every matchLabels pair
# is among the labels, and every matchExpressions requirement (`In`, `NotIn`, `Exists`,
# `DoesNotExist`) holds. `{}` selects everything; null, a non-object, a malformed matchLabels or
# matchExpressions, and a requirement without a key or with another operator select nothing.
matches(selector, labels) if {
	is_object(selector)
	own := object_or_empty(labels)
	labels_hold(object.get(selector, "matchLabels", null), own)
	expressions_hold(object.get(selector, "matchExpressions", null), own)
}

labels_hold(match_labels, _) if match_labels == null

labels_hold(match_labels, labels) if {
	is_object(match_labels)
	count([k | some k, v in match_labels; not has_label(labels, k, v)]) == 0
}

has_label(labels, key, value) if labels[key] == value

expressions_hold(expressions, _) if expressions == null

expressions_hold(expressions, labels) if {
	is_array(expressions)
	count([e | some e in expressions; not requirement_holds(e, labels)]) == 0
}

requirement_holds(e, labels) if {
	is_object(e)
	_ = e.key
	operator_holds(e.operator, e.key, array_or_empty(object.get(e, "values", [])), labels)
}

operator_holds(operator, key, values, labels) if {
	operator == "In"
	has_label_in(labels, key, values)
}

operator_holds(operator, key, values, labels) if {
	operator == "NotIn"
	not has_label_in(labels, key, values)
}

operator_holds(operator, key, _, labels) if {
	operator == "Exists"
	has_key(labels, key)
}

operator_holds(operator, key, _, labels) if {
	operator == "DoesNotExist"
	not has_key(labels, key)
}

has_label_in(labels, key, values) if {
	value := labels[key]
	value in values
}

has_key(labels, key) if _ = labels[key]

# Labels as `app=web, tier=front` (keys sorted), or `no labels`.
labels_string(labels) := concat(", ", pairs) if {
	pairs := pairs_of(object_or_empty(labels))
	count(pairs) > 0
}

labels_string(labels) := "no labels" if count(object_or_empty(labels)) == 0

pairs_of(labels) := [sprintf("%v=%v", [k, labels[k]]) | some k in sort(object.keys(labels))]

# A LabelSelector as kubectl prints it: `app=web, tier in (a,b), tier notin (c), key, !key`.
# `{}` is `everything`; null or a non-object is `nothing`.
describe(selector) := concat(", ", parts) if {
	is_object(selector)
	parts := selector_parts(selector)
	count(parts) > 0
}

describe(selector) := "everything" if {
	is_object(selector)
	count(selector_parts(selector)) == 0
}

describe(selector) := "nothing" if not is_object(selector)

selector_parts(selector) := array.concat(label_parts(selector), expression_parts(selector))

label_parts(selector) := pairs_of(object_or_empty(object.get(selector, "matchLabels", {})))

expression_parts(selector) := [expression(e) |
	some e in array_or_empty(object.get(selector, "matchExpressions", []))
]

expression(e) := sprintf("%v %v (%v)", [e.key, lower(e.operator), concat(",", values(e))]) if {
	e.operator in {"In", "NotIn"}
	_ = e.key
}

expression(e) := sprintf("%v", [e.key]) if {
	e.operator == "Exists"
	_ = e.key
}

expression(e) := sprintf("!%v", [e.key]) if {
	e.operator == "DoesNotExist"
	_ = e.key
}

expression(e) := sprintf("%v %v", [object.get(e, "key", "?"), object.get(e, "operator", "?")]) if {
	not known_expression(e)
}

known_expression(e) if {
	e.operator in {"In", "NotIn", "Exists", "DoesNotExist"}
	_ = e.key
}

values(e) := [sprintf("%v", [v]) | some v in array_or_empty(object.get(e, "values", []))]

# The labels of namespace `ns` when its Namespace object is in the run, with the
# kubernetes.io/metadata.name label the API server adds.
namespace_labels(ns) := object.union(object_or_empty(object.get(namespace, ["metadata", "labels"], {})), {"kubernetes.io/metadata.name": ns}) if {
	namespace := data.inventory.cluster.v1.Namespace[ns]
}

# Whether a namespaceSelector selects namespace `ns`.
namespace_selected(selector, ns) if {
	matches(selector, namespace_labels(ns))
}

# The Namespace object is not in the run, so its labels are unknown. Only the requirements on
# kubernetes.io/metadata.name, which every namespace carries, can be checked; the others get the
# benefit of the doubt (a finding must not depend on an object rampart cannot see).
namespace_selected(selector, ns) if {
	not data.inventory.cluster.v1.Namespace[ns]
	matches(name_requirements(selector), {"kubernetes.io/metadata.name": ns})
}

name_requirements(selector) := {
	"matchLabels": {k: v |
		some k, v in object_or_empty(object.get(selector, "matchLabels", {}))
		k == "kubernetes.io/metadata.name"
	},
	"matchExpressions": [e |
		some e in array_or_empty(object.get(selector, "matchExpressions", []))
		e.key == "kubernetes.io/metadata.name"
	],
}
