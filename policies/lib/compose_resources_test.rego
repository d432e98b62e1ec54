package rampart.lib.compose_resources_test

import rego.v1

import data.rampart.lib.compose_resources as cr

# Byte values, as docker/go-units `RAMInBytes` reads them: binary units, any case, optional
# `b`/`ib`, an optional space, decimals truncated.
test_bytes_units if {
	cr.bytes("2b") == 2
	cr.bytes("1024") == 1024
	cr.bytes("2048k") == 2097152
	cr.bytes("1024kb") == 1048576
	cr.bytes("512m") == 536870912
	cr.bytes("512M") == 536870912
	cr.bytes("300mb") == 314572800
	cr.bytes("1g") == 1073741824
	cr.bytes("1gb") == 1073741824
	cr.bytes("1GB") == 1073741824
	cr.bytes("1GiB") == 1073741824
	cr.bytes("1gib") == 1073741824
	cr.bytes("2t") == 2199023255552
	cr.bytes("1p") == 1125899906842624
}

test_bytes_decimals_and_spaces if {
	cr.bytes("1.5G") == 1610612736
	cr.bytes("0.5g") == 536870912
	cr.bytes(".5g") == 536870912
	cr.bytes("1.5") == 1
	cr.bytes("1 g") == 1073741824
	cr.bytes("512 MB") == 536870912
	cr.bytes("0") == 0
	cr.bytes("0m") == 0
}

test_bytes_numbers if {
	cr.bytes(536870912) == 536870912
	cr.bytes(0) == 0
}

test_invalid_bytes_are_undefined if {
	every v in ["", "m", "1x", "1mi", "1mbb", "1kbi", "1bb", "-1m", "1  g", "1g ", "1,5g", "512Mi ", "lots", "${MEM}", "1.2.3m", "0x10"] {
		not cr.bytes(v)
	}
	not cr.bytes(-1)
	not cr.bytes(true)
	not cr.bytes(["1g"])
}

# A Kubernetes quantity suffix is not a Compose unit.
test_kubernetes_suffixes_are_not_compose_units if {
	not cr.bytes("512Mi")
	not cr.bytes("1Gi")
	not cr.bytes("500e")
}

test_cpus if {
	cr.cpus(0.5) == 0.5
	cr.cpus(2) == 2
	cr.cpus("0.5") == 0.5
	cr.cpus("0.50") == 0.5
	cr.cpus(".5") == 0.5
	cr.cpus("2.") == 2
	cr.cpus("2") == 2
	cr.cpus("+1.5") == 1.5
	cr.cpus("002") == 2
	cr.cpus("1e0") == 1
	cr.cpus("5E-1") == 0.5
	cr.cpus("0") == 0
}

test_invalid_cpus_are_undefined if {
	every v in ["", ".", "one", "500m", "0.5 ", " 0.5", "1,5", "e3", "${CPUS}"] {
		not cr.cpus(v)
	}
	not cr.cpus(true)
	not cr.cpus(null)
}

test_written_in_precedence_order if {
	service := {"mem_limit": "1g", "deploy": {"resources": {"limits": {"memory": "1g"}}}}
	cr.written(service, "limits", "memory") == [
		{"path": ["deploy", "resources", "limits", "memory"], "value": "1g"},
		{"path": ["mem_limit"], "value": "1g"},
	]
	cr.setting(service, "limits", "memory") == {"path": ["deploy", "resources", "limits", "memory"], "value": "1g"}
}

test_setting_falls_back_to_the_legacy_key if {
	cr.setting({"cpus": 1.5}, "limits", "cpus") == {"path": ["cpus"], "value": 1.5}
	cr.setting({"mem_reservation": "64m"}, "reservations", "memory") == {"path": ["mem_reservation"], "value": "64m"}
}

test_null_is_not_written if {
	cr.written({"cpus": null, "deploy": {"resources": {"limits": {"cpus": null}}}}, "limits", "cpus") == []
	not cr.setting({"cpus": null}, "limits", "cpus")
}

# `deploy`, `resources` or `limits` of the wrong type hold nothing.
test_wrong_types_hold_nothing if {
	cr.written({"deploy": "x"}, "limits", "cpus") == []
	cr.written({"deploy": {"resources": ["limits"]}}, "limits", "cpus") == []
	cr.written({"deploy": {"resources": {"limits": null}}}, "limits", "cpus") == []
}

# cpu_shares is a weight, not a CPU reservation.
test_cpu_shares_is_not_a_reservation if {
	cr.missing({"cpu_shares": 512}, "reservations", "cpus")
}

test_zero_is_missing if {
	cr.missing({"mem_limit": 0}, "limits", "memory")
	cr.missing({"mem_limit": "0"}, "limits", "memory")
	cr.missing({"cpus": "0.0"}, "limits", "cpus")
	cr.missing({"deploy": {"resources": {"reservations": {"memory": "0m"}}}}, "reservations", "memory")
	cr.missing_finding("web", {"mem_limit": "0"}, "limits", "memory", "memory limit").path == ["mem_limit"]
}

test_zero_beside_a_value_is_set if {
	cr.sets({"mem_limit": "0", "deploy": {"resources": {"limits": {"memory": "1g"}}}}, "limits", "memory")
}

test_invalid_values_count_as_set if {
	cr.sets({"mem_limit": "lots"}, "limits", "memory")
	cr.sets({"cpus": ""}, "limits", "cpus")
}

test_a_missing_setting_is_reported_at_the_deploy_key if {
	cr.missing_finding("web", {}, "limits", "cpus", "CPU limit").path == ["deploy", "resources", "limits", "cpus"]
	cr.missing_finding("web", {}, "reservations", "memory", "memory reservation").path == ["deploy", "resources", "reservations", "memory"]
}

test_missing_messages if {
	cr.missing_finding("web", {}, "limits", "memory", "memory limit").msg == "service `web` has no memory limit (deploy.resources.limits.memory or mem_limit)"
	cr.missing_finding("web", {}, "reservations", "cpus", "CPU reservation").msg == "service `web` has no CPU reservation (deploy.resources.reservations.cpus)"
	cr.missing_finding("web", {"cpus": 0}, "limits", "cpus", "CPU limit").msg == "service `web` has no CPU limit: cpus is 0, which sets none"
}

test_a_set_value_has_no_finding if {
	not cr.missing_finding("web", {"cpus": "0.5"}, "limits", "cpus", "CPU limit")
	not cr.missing_finding("web", {"mem_limit": "lots"}, "limits", "memory", "memory limit")
	not cr.missing_finding("web", {"mem_limit": "0", "deploy": {"resources": {"limits": {"memory": "1g"}}}}, "limits", "memory", "memory limit")
}

# Both keys at 0: one finding, at the first key in precedence order (the two definitions once
# each picked a key, and the interpreter stopped on the conflict).
test_two_zero_keys_give_one_finding_at_the_deploy_key if {
	service := {"cpus": 0, "deploy": {"resources": {"limits": {"cpus": "0"}}}}
	f := cr.missing_finding("web", service, "limits", "cpus", "CPU limit")
	f.path == ["deploy", "resources", "limits", "cpus"]
	f.msg == "service `web` has no CPU limit: deploy.resources.limits.cpus is 0, which sets none"
}

test_exceeds if {
	cr.exceeds("cpus", "1", "0.5")
	cr.exceeds("cpus", 2, "1.5")
	cr.exceeds("memory", "2g", "1g")
	cr.exceeds("memory", "1025m", "1g")
}

test_equal_amounts_written_differently_do_not_exceed if {
	not cr.exceeds("memory", "1.5g", "1536m")
	not cr.exceeds("memory", "1g", "1024M")
	not cr.exceeds("memory", "1gb", 1073741824)
	not cr.exceeds("memory", "1024kb", "1m")
	not cr.exceeds("cpus", "0.50", 0.5)
	not cr.exceeds("cpus", "1", "1.0")
	not cr.exceeds("cpus", "0.1", 0.1)
}

test_smaller_reservations_do_not_exceed if {
	not cr.exceeds("memory", "512m", "1g")
	not cr.exceeds("cpus", "0.25", "0.5")
}

test_zero_limit_is_no_limit if {
	not cr.exceeds("memory", "1g", 0)
	not cr.exceeds("memory", "1g", "0")
	not cr.exceeds("cpus", "1", "0")
}

test_invalid_values_are_not_compared if {
	not cr.exceeds("memory", "2Gi", "1g")
	not cr.exceeds("memory", "2g", "lots")
	not cr.exceeds("cpus", "2000m", "1")
}

# A key that holds 0 beside an invalid value is set (the invalid value counts as set); a null key
# is not written.
test_missing_finding_with_mixed_values if {
	not cr.missing_finding("web", {"mem_limit": "0", "deploy": {"resources": {"limits": {"memory": "lots"}}}}, "limits", "memory", "memory limit")
	cr.missing_finding("web", {"cpus": null}, "limits", "cpus", "CPU limit").path == ["deploy", "resources", "limits", "cpus"]
	not cr.missing_finding("web", {}, "limits", "gpus", "GPU limit")
}

# is_zero inlines amount, cpus and bytes: it reads values as they do, from the run's table of
# readings when it holds the text, else by parsing it.
test_is_zero_reads_values_as_amount_does if {
	cr.is_zero("cpus", 0)
	cr.is_zero("cpus", "0.0")
	not cr.is_zero("cpus", "0.5")
	not cr.is_zero("cpus", "x")
	cr.is_zero("memory", 0.5)
	cr.is_zero("memory", "0b")
	not cr.is_zero("memory", -1)
	not cr.is_zero("memory", "1k")
	not cr.is_zero("memory", "x")
}

test_is_zero_reads_the_table_first if {
	# Readings no text has, so that only a lookup gives them.
	table := {"5": {"cpus": 0, "bytes": 0}, "0": {"cpus": 3, "bytes": 3}}
	cr.is_zero("cpus", "5") with data.rampart.index.compose_amounts as table
	cr.is_zero("memory", "5") with data.rampart.index.compose_amounts as table
	not cr.is_zero("cpus", "0") with data.rampart.index.compose_amounts as table
	not cr.is_zero("memory", "0") with data.rampart.index.compose_amounts as table
}
