# Label selectors in messages, and the labels of a namespace as a namespaceSelector sees them.
package rampart.lib.selectors

import rego.v1

# Functions only: see lib/spread.rego on why libraries avoid rules. `kubernetes.io/metadata.name`
# is the label the API server sets on every Namespace (Kubernetes 1.21+), equal to its name.

# An object, or {} for null and anything else.
object_or_empty(x) := x if is_object(x) else := {}

# An array, or [] for null and anything else.
array_or_empty(x) := x if is_array(x) else := []

# Labels as `app=web, tier=front` (keys sorted), or `no labels`.
labels_string(labels) := concat(", ", pairs) if {
	pairs := pairs_of(object_or_empty(labels))
	count(pairs) > 0
} else := "no labels"

pairs_of(labels) := [sprintf("%v=%v", [k, labels[k]]) | some k in sort(object.keys(labels))]

# A LabelSelector as kubectl prints it: `app=web, tier in (a,b), tier notin (c), key, !key`.
# `{}` is `everything`; null or a non-object is `nothing`.
describe(selector) := concat(", ", parts) if {
	is_object(selector)
	parts := array.concat(label_parts(selector), expression_parts(selector))
	count(parts) > 0
} else := "everything" if {
	is_object(selector)
} else := "nothing"

label_parts(selector) := pairs_of(object_or_empty(object.get(selector, "matchLabels", {})))

expression_parts(selector) := [expression(e) |
	some e in array_or_empty(object.get(selector, "matchExpressions", []))
]

expression(e) := sprintf("%v %v (%v)", [e.key, lower(e.operator), concat(",", values(e))]) if {
	e.operator in {"In", "NotIn"}
} else := sprintf("%v", [e.key]) if {
	e.operator == "Exists"
} else := sprintf("!%v", [e.key]) if {
	e.operator == "DoesNotExist"
} else := sprintf("%v %v", [object.get(e, "key", "?"), object.get(e, "operator", "?")])

values(e) := [sprintf("%v", [v]) | some v in array_or_empty(object.get(e, "values", []))]

# The labels of namespace `ns` when its Namespace object is in the run, with the
# kubernetes.io/metadata.name label the API server adds.
namespace_labels(ns) := object.union(object_or_empty(object.get(namespace, ["metadata", "labels"], {})), {"kubernetes.io/metadata.name": ns}) if {
	namespace := data.inventory.cluster.v1.Namespace[ns]
}

# Whether a namespaceSelector selects namespace `ns`.
namespace_selected(selector, ns) if {
	rampart.selector_matches(selector, namespace_labels(ns))
}

# The Namespace object is not in the run, so its labels are unknown. Only the requirements on
# kubernetes.io/metadata.name, which every namespace carries, can be checked; the others get the
# benefit of the doubt (a finding must not depend on an object rampart cannot see).
namespace_selected(selector, ns) if {
	not data.inventory.cluster.v1.Namespace[ns]
	rampart.selector_matches(name_requirements(selector), {"kubernetes.io/metadata.name": ns})
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
