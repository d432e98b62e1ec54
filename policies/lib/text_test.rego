package rampart.lib.text_test

import rego.v1

import data.rampart.lib.text

test_listing_sorts_the_names if {
	text.listing({"b", "a"}, 2, 2) == "a, b"
}

test_listing_counts_what_it_leaves_out if {
	text.listing(["Service x/b", "Service x/a"], 10, 997) == "Service x/a, Service x/b and 987 more"
}

test_first_keeps_ten_in_sorted_order if {
	text.first(numbers.range(1, 12), 0) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
	text.first({3, 1, 2}, 8) == [1, 2]
	text.first([1], 10) == []
}
