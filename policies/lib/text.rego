# Message text shared by checks. Functions only (see lib/spread.rego).
package rampart.lib.text

import rego.v1

# The first of `collection` (a set or array) in sorted order that a finding about a conflict
# names in its message and carries as related locations, when `taken` of its places are used
# already: ten at most (src/policy/facts.rs, RELATED_LIMIT), as n Services on one nodePort
# would otherwise give n findings that each name and locate the n - 1 others.
first(collection, taken) := array.slice(sort(collection), 0, 10 - taken)

# `names` (a set or array) sorted and joined with ", ", followed by " and N more" when `total`
# (how many things there are) exceeds the `shown` of them the names come from.
listing(names, shown, total) := concat(", ", sort(names)) if total <= shown

listing(names, shown, total) := sprintf("%s and %d more", [concat(", ", sort(names)), total - shown]) if {
	total > shown
}
