# Numbers written as text: strings of digits, decimal numbers as Go's strconv.ParseFloat reads
# them (Compose CPU counts and byte values), and Kubernetes resource quantities. Functions only
# (see lib/spread.rego), without `else`, so that the checks using them run on the RVM.
package rampart.lib.numbers

import rego.v1

# A non-empty string of ASCII digits (`8080`, `007`): what `^[0-9]+$` matches.
natural(s) if {
	is_string(s)
	s != ""
	trim_left(s, "0123456789") == ""
}

# A decimal number as Go's strconv.ParseFloat reads it (`1`, `0.5`, `.5`, `2.`, `+1`, `-1`,
# `1e3`, `007`, `0.05`), undefined for anything else (hexadecimal, `inf`, `nan` and `_`
# separators are not supported). regorus's `to_number` rejects some of these forms, so the
# number is rewritten as `<int>.<frac>e<sign><exp>` first.
decimal(s) := to_number(text) if {
	is_string(s)
	[m] := regex.find_all_string_submatch_n(`^([+-]?)([0-9]*)(\.([0-9]*))?([eE]([+-]?)([0-9]+))?$`, s, 1)
	concat("", [m[2], m[4]]) != ""
	text := sprintf("%s%s.%se%s%s", [
		sign(m[1]),
		digits(m[2]),
		fraction(m[4]),
		sign(m[6]),
		digits(m[7]),
	])
}

# A Kubernetes quantity in base units (cores, bytes): a number, or a string made of a decimal
# number without exponent and a suffix, binary (`Ki` … `Ei`), decimal (`n`, `u`, `m`, `k`, `M`
# … `E`) or an exponent (`e3`, `E-2`); surrounding spaces are ignored. Undefined when malformed.
#
# rampart parses every quantity of a unit's resources once, in Rust (`rampart.quantity`), into
# `data.rampart.index.quantities` ({text: base units}): a lookup there costs one instruction
# where parsing here costs dozens of calls on every resource. The Rego parser reads what the
# table does not hold (Rego tests without an index, malformed text), and is tested against the
# Rust one.
quantity(q) := q if is_number(q)

quantity(q) := n if {
	is_string(q)
	n := data.rampart.index.quantities[q]
	is_number(n)
}

quantity(q) := parse_quantity(q) if {
	is_string(q)
	not data.rampart.index.quantities[q]
}

# The Rego twin of the Rust builtin `rampart.quantity` (kept for user policies).
parse_quantity(q) := n if {
	is_string(q)
	[m] := regex.find_all_string_submatch_n(`^([+-]?)([0-9]*)(\.([0-9]*))?(.*)$`, trim_space(q), 1)
	concat("", [m[2], m[4]]) != ""
	n := scaled(sprintf("%s%s.%s", [sign(m[1]), digits(m[2]), fraction(m[4])]), m[5])
	is_number(n)
}

scaled(number, suffix) := to_number(sprintf("%se%v", [number, exponent])) if {
	exponent := decimal_exponents[suffix]
	is_number(exponent)
}

scaled(number, suffix) := to_number(sprintf("%se0", [number])) * multiplier if {
	multiplier := binary_multipliers[suffix]
	is_number(multiplier)
}

scaled(number, suffix) := to_number(sprintf("%se%s%s", [number, sign(m[1]), digits(m[2])])) if {
	[m] := regex.find_all_string_submatch_n(`^[eE]([+-]?)([0-9]+)$`, suffix, 1)
}

decimal_exponents := {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}

binary_multipliers := {
	"Ki": 1024,
	"Mi": 1048576,
	"Gi": 1073741824,
	"Ti": 1099511627776,
	"Pi": 1125899906842624,
	"Ei": 1152921504606846976,
}

sign("-") := "-"

sign(s) := "" if s != "-"

# Digits without leading zeros, "0" when none remain.
digits(s) := d if {
	d := trim_left(s, "0")
	d != ""
}

digits(s) := "0" if not has_significant_digit(s)

# A digit other than a leading zero remains (false for a value that is not a string).
has_significant_digit(s) if trim_left(s, "0") != ""

# The digits after the point, kept as written (their leading zeros count), "0" when none.
fraction(s) := s if s != ""

fraction(s) := "0" if s == ""
