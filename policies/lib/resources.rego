# Helpers for the resource checks: which containers carry `resources` (regular and init;
# ephemeral containers cannot), and what Kubernetes fills in when a request or a limit is left
# out: a request defaults to the container's own limit, and a LimitRange of type `Container`
# in the namespace supplies defaults at admission.
package rampart.lib.resources

import rego.v1

import data.rampart.lib.kubernetes.containers
import data.rampart.lib.kubernetes.is_workload
import data.rampart.lib.kubernetes.namespace

# The containers of `containers` that can set `resources`: regular and init containers
# can, ephemeral containers cannot. A rule, computed once per resource for the five checks that
# read it: a test of each container in each check was a function call each, and on the RVM a
# call costs thousands of machine instructions. An array, not a set: a set compares each new
# container deeply with the others.
settable_containers := [c | some c in containers; c.field in {"containers", "initContainers"}]

# "container `api`" or "init container `migrate`", for messages.
describe(c) := sprintf("init container `%s`", [c.name]) if {
	c.field == "initContainers"
}

describe(c) := sprintf("container `%s`", [c.name]) if {
	c.field != "initContainers"
}

# Path to `resources.<section>.<resource>` of a container.
path(c, section, resource) := array.concat(c.path, ["resources", section, resource])

# The container sets `resources.<section>.<resource>` to something.
sets(container, section, resource) if container.resources[section][resource] != null

# The container has no value for `resources.<section>.<resource>` once Kubernetes has applied
# its defaults: a missing request takes the container's limit, and a LimitRange of the
# namespace may default either. One definition per section, reading the fields with
# `object.get` (null or absent: not set, as `sets` reads them) rather than through `sets`: the
# four resource checks ask this of every container that lacks the field, and on the RVM each
# call costs thousands of machine instructions.
missing(container, "limits", resource) if {
	object.get(container, ["resources", "limits", resource], null) == null
	not limit_range_defaulted[["limits", resource]]
}

missing(container, "requests", resource) if {
	object.get(container, ["resources", "requests", resource], null) == null
	object.get(container, ["resources", "limits", resource], null) == null
	not limit_range_defaulted[["requests", resource]]
}

# Whether the unit holds a LimitRange in the object's namespace. The rules below that read
# LimitRanges are a chain of rule calls on every resource; the checks ask this first.
limit_ranges_here if data.rampart.index.limit_ranges[namespace]

# The `spec.limits` items of type Container of the LimitRanges in the object's namespace, as
# {"item", "index", "object"} where object identifies the LimitRange.
limit_range_items contains {"item": item, "index": i, "object": object} if {
	is_workload
	ns := namespace
	some [api_version, name, lr] in data.rampart.index.limit_ranges[ns]
	is_array(lr.spec.limits)
	some i, item in lr.spec.limits
	item.type == "Container"
	object := {"apiVersion": api_version, "kind": "LimitRange", "name": name, "namespace": ns}
}

# [section, resource] pairs a LimitRange defaults for containers. As the API server defaults a
# LimitRangeItem: a missing `default` (limit) takes `max`; a missing `defaultRequest` takes
# `default` (or `max` through it), then `min`.
limit_range_defaulted contains pair if {
	is_workload
	some pair in data.rampart.index.limit_range_defaulted[namespace]
}

# What `limit_range_defaulted` and `default_limits` read, as Rego: the unit's index holds it per
# namespace, made once in Rust (src/policy/index.rs) from these definitions, which a test there
# holds alike.
computed_limit_range_defaulted contains [section, resource] if {
	some entry in limit_range_items
	some source in limit_range_sources
	section := source[0]
	key := source[1]
	is_object(entry.item[key])
	some resource, value in entry.item[key]
	value != null
}

limit_range_sources := [
	["limits", "default"],
	["limits", "max"],
	["requests", "defaultRequest"],
	["requests", "default"],
	["requests", "max"],
	["requests", "min"],
]

# The limits a LimitRange gives a container that sets none, as {"resource", "value", "object",
# "path"} (path inside the LimitRange): `default`, or `max` when `default` lacks the resource.
default_limits contains limit if {
	is_workload
	some limit in data.rampart.index.default_limits[namespace]
}

computed_default_limits contains {"resource": resource, "value": value, "object": entry.object, "path": p} if {
	some entry in limit_range_items
	is_object(entry.item["default"])
	some resource, value in entry.item["default"]
	value != null
	p := ["spec", "limits", entry.index, "default", resource]
}

computed_default_limits contains {"resource": resource, "value": value, "object": entry.object, "path": p} if {
	some entry in limit_range_items
	is_object(entry.item.max)
	some resource, value in entry.item.max
	value != null
	not has_default(entry.item, resource)
	p := ["spec", "limits", entry.index, "max", resource]
}

has_default(item, resource) if item["default"][resource] != null
