package rampart.lib.numbers_test

import rego.v1

import data.rampart.lib.numbers

# Leading zeros go; nothing left (or a value that is not a string) is "0".
test_digits if {
	numbers.digits("0070") == "70"
	numbers.digits("7") == "7"
	numbers.digits("000") == "0"
	numbers.digits("") == "0"
	numbers.digits(7) == "0"
	numbers.digits(null) == "0"
}

# What `^[0-9]+$` matches.
test_natural if {
	numbers.natural("8080")
	numbers.natural("007")
	numbers.natural("0")
	not numbers.natural("")
	not numbers.natural("80a")
	not numbers.natural("+1")
	not numbers.natural("1.0")
	not numbers.natural(" 1")
	not numbers.natural(8080)
	not numbers.natural(null)
}

test_decimal_forms if {
	numbers.decimal("1") == 1
	numbers.decimal("0.5") == 0.5
	numbers.decimal(".5") == 0.5
	numbers.decimal("2.") == 2
	numbers.decimal("+1") == 1
	numbers.decimal("-1") == -1
	numbers.decimal("1e3") == 1000
	numbers.decimal("007") == 7
	numbers.decimal("2.5E-1") == 0.25
	numbers.decimal("1e+2") == 100
	numbers.decimal("-.5e1") == -5
	numbers.decimal("1.e1") == 10
}

# The zeros after the point are part of the number: 0.05 is not 0.5.
test_decimal_keeps_the_zeros_after_the_point if {
	numbers.decimal("0.05") == 0.05
	numbers.decimal("1.005") == 1.005
	numbers.decimal("0.000") == 0
}

test_decimal_rejects if {
	not numbers.decimal("")
	not numbers.decimal(".")
	not numbers.decimal("1.2.3")
	not numbers.decimal("0x10")
	not numbers.decimal("inf")
	not numbers.decimal("1_000")
	not numbers.decimal(5)
	not numbers.decimal("1e")
	not numbers.decimal("e3")
	not numbers.decimal("1e2e3")
	not numbers.decimal("+-1")
	not numbers.decimal("-")
	not numbers.decimal("1 ")
	not numbers.decimal("1e1.5")
}

# [quantity, base units] for every form; undefined ones are listed apart.
quantity_cases := [
	["100m", 0.1],
	["0.5", 0.5],
	["0.05", 0.05],
	["1e3", 1000],
	["128Mi", 134217728],
	["1G", 1000000000],
	["1Gi", 1073741824],
	["2Ki", 2048],
	["1.5", 1.5],
	["2E-3", 0.002],
	["+3k", 3000],
	["-1", -1],
	["1.", 1],
	[".5", 0.5],
	[" 2 ", 2],
	["250u", 0.00025],
	["5n", 0.000000005],
	["1E", 1000000000000000000],
	["1Ei", 1152921504606846976],
	["1.e3", 1000],
	[2, 2],
	[1.5, 1.5],
]

malformed_quantities := ["", "Mi", "1.2.3", "12Q", "1 Gi", ".", "abc", "1e", "e3", "1Mb", "0x10", null, true, ["1"]]

close(a, b) if abs(a - b) <= 1e-12 * max([abs(b), 1])

test_quantity_reads_every_form if {
	wrong := [[q, want, got] |
		some [q, want] in quantity_cases
		got := numbers.parse_quantity(q)
		not close(got, want)
	]
	missing := [q | some [q, _] in quantity_cases; is_string(q); not numbers.parse_quantity(q)]
	wrong == []
	missing == []
}

test_quantity_rejects_malformed_text if {
	read := [[q, n] | some q in malformed_quantities; n := numbers.quantity(q)]
	parsed := [[q, n] | some q in malformed_quantities; n := numbers.parse_quantity(q)]
	read == []
	parsed == []
}

# The table rampart builds in Rust (data.rampart.index.quantities) answers first; a quantity it
# does not hold is parsed here.
test_quantity_reads_the_index_first if {
	numbers.quantity("1Gi") == 1073741824
	numbers.quantity("1Gi") == 7 with data.rampart.index.quantities as {"1Gi": 7}
	numbers.quantity("2Ki") == 2048 with data.rampart.index.quantities as {"1Gi": 7}
	numbers.quantity(3) == 3 with data.rampart.index.quantities as {"1Gi": 7}
}

test_quantity_agrees_with_the_rust_builtin if {
	disagreements := [[q, rego, rust] |
		some [q, _] in quantity_cases
		rego := numbers.parse_quantity(q)
		rust := rampart.quantity(q)
		not close(rego, rust)
	]
	rust_only := [q | some q in malformed_quantities; rampart.quantity(q)]
	disagreements == []
	rust_only == []
}
