# Helpers for the resource settings of a Compose service (`input.service`): where each limit and
# reservation can be written (the `deploy.resources` block and the legacy top-level keys), and
# how Docker Compose reads their values (CPU counts and byte values). Kubernetes has its own
# helpers in `resources.rego`, and Kubernetes quantities (`numbers.quantity`) are a different
# format: `512Mi` is not a Compose byte value, and Compose's `512m` is 512 MiB, not 0.512.
package rampart.lib.compose_resources

import rego.v1

import data.rampart.lib.numbers

# The keys that set each [section, resource], in the order Docker Compose gives them precedence:
# the `deploy.resources` key first, then the legacy top-level key. (compose-go rejects a service
# whose two keys for one setting hold distinct values, so either one is the setting.) A CPU
# reservation has no legacy key: `cpu_shares` is a relative weight, not a reservation.
keys := {
	"limits": {
		"cpus": [["deploy", "resources", "limits", "cpus"], ["cpus"]],
		"memory": [["deploy", "resources", "limits", "memory"], ["mem_limit"]],
	},
	"reservations": {
		"cpus": [["deploy", "resources", "reservations", "cpus"]],
		"memory": [["deploy", "resources", "reservations", "memory"], ["mem_reservation"]],
	},
}

# The keys of one setting that the service writes (with a value other than null), in precedence
# order, as {"path", "value"}.
written(service, section, resource) := [{"path": p, "value": v} |
	some p in keys[section][resource]
	v := object.get(service, p, null)
	v != null
]

# The setting that applies: the first written key. Undefined when none is written.
setting(service, section, resource) := written(service, section, resource)[0]

# The finding of a service that sets no `resource` in `section`, as {"msg", "path"}; undefined
# when it sets one. `what` names the setting in the message ("CPU limit"). Two cases:
#
# - nothing written: reported at the `deploy.resources` key (rampart points at its nearest
#   existing parent), naming every key that could set it;
# - every key written holds 0 (Docker reads 0 as "none"): reported at the first of them, in
#   precedence order (one point even when both keys hold 0).
#
# The four resource checks ask this of every service, so each definition tests the service's
# own keys before any further call (on the RVM a call costs thousands of machine instructions):
# a service that writes nothing costs this call and one `written`; one that sets a value, one
# `written` and one `is_zero`.
missing_finding(name, service, section, resource, what) := {"msg": msg, "path": keys[section][resource][0]} if {
	every p in keys[section][resource] {
		object.get(service, p, null) == null
	}
	msg := sprintf("service `%s` has no %s (%s)", [name, what, concat(" or ", [concat(".", p) | some p in keys[section][resource]])])
}

missing_finding(name, service, section, resource, what) := {"msg": msg, "path": w.path} if {
	ws := written(service, section, resource)
	count(ws) > 0
	every v in ws {
		is_zero(resource, v.value)
	}
	w := ws[0]
	msg := sprintf("service `%s` has no %s: %s is %v, which sets none", [name, what, concat(".", w.path), w.value])
}

# The service sets a limit or reservation: a key of it holds a value other than 0. Docker reads
# 0 as "none" (`mem_limit: 0` and `cpus: 0` leave the container unlimited). A value that is not
# a valid number or byte value counts as set: Compose rejects it, and that is another problem.
sets(service, section, resource) if sets_in(written(service, section, resource), resource)

sets_in(ws, resource) if {
	some w in ws
	not is_zero(resource, w.value)
}

missing(service, section, resource) if not sets(service, section, resource)

# A value sets 0 (`amount(resource, value) == 0`), with `amount`, `cpus` and `bytes` inlined: on
# the RVM every function call costs thousands of machine instructions, and a service asks this
# for each key of each of its four settings.
is_zero("cpus", value) if {
	is_number(value)
	value == 0
}

is_zero("cpus", value) if {
	is_string(value)
	n := data.rampart.index.compose_amounts[value].cpus
	is_number(n)
	n == 0
}

is_zero("cpus", value) if {
	is_string(value)
	not data.rampart.index.compose_amounts[value].cpus
	numbers.decimal(value) == 0
}

is_zero("memory", value) if {
	is_number(value)
	value >= 0
	floor(value) == 0
}

is_zero("memory", value) if {
	is_string(value)
	n := data.rampart.index.compose_amounts[value].bytes
	is_number(n)
	n == 0
}

is_zero("memory", value) if {
	is_string(value)
	not data.rampart.index.compose_amounts[value].bytes
	bytes(value) == 0
}

# The amount a value sets, in CPUs or in bytes. Undefined when the value is not valid.
amount("cpus", value) := cpus(value)

amount("memory", value) := bytes(value)

# A CPU count (`cpus: 0.5`, `cpus: "1.5"`), as compose-go reads it: a number, or a string that
# Go's strconv.ParseFloat accepts.
cpus(value) := value if is_number(value)

cpus(value) := n if {
	is_string(value)
	n := data.rampart.index.compose_amounts[value].cpus
	is_number(n)
}

cpus(value) := numbers.decimal(value) if {
	is_string(value)
	not data.rampart.index.compose_amounts[value].cpus
}

# A Compose byte value, in bytes, as compose-go reads it (docker/go-units `RAMInBytes`): a number
# of bytes, or a string made of a decimal number, an optional space and an optional unit, in any
# case: `b`; `k`, `m`, `g`, `t`, `p`, each optionally followed by `b` or `ib`; all units powers of
# 1024 (`1kb` = `1k` = `1kib` = 1024, `1.5g` = 1610612736). The result is truncated to whole
# bytes. Negative values are not valid.
bytes(value) := floor(value) if {
	is_number(value)
	value >= 0
}

# rampart reads the run's byte values and CPU counts once, in Rust, into
# `data.rampart.index.compose_amounts` (src/compose/amounts.rs, tested against these rules):
# parsing here costs two regex calls and a dozen function calls on the RVM. What the table does
# not hold (Rego tests, malformed text) is parsed here.
bytes(value) := n if {
	is_string(value)
	n := data.rampart.index.compose_amounts[value].bytes
	is_number(n)
}

bytes(value) := floor(n * unit_bytes[lower(match[2])]) if {
	is_string(value)
	not data.rampart.index.compose_amounts[value].bytes
	# The unit is the trailing run of characters that are neither digits, `.` nor spaces; one
	# space may separate it from the number (go-units splits the string the same way).
	[match] := regex.find_all_string_submatch_n(`^(.*?) ?([^0-9. ]*)$`, value, 1)
	n := numbers.decimal(match[1])
	n >= 0
}

unit_bytes := {
	"": 1,
	"b": 1,
	"k": 1024, "kb": 1024, "kib": 1024,
	"m": 1048576, "mb": 1048576, "mib": 1048576,
	"g": 1073741824, "gb": 1073741824, "gib": 1073741824,
	"t": 1099511627776, "tb": 1099511627776, "tib": 1099511627776,
	"p": 1125899906842624, "pb": 1125899906842624, "pib": 1125899906842624,
}

# A reservation greater than a limit, both given as written. A limit of 0 is no limit. CPU counts
# are compared with a relative margin that absorbs floating-point rounding; byte values exactly.
exceeds("cpus", reservation, limit) if {
	r := cpus(reservation)
	l := cpus(limit)
	l > 0
	r - l > l * 1e-9
}

exceeds("memory", reservation, limit) if {
	r := bytes(reservation)
	l := bytes(limit)
	l > 0
	r > l
}
