# METADATA
# description: |
#   a service whose CPU or memory reservation is greater than its limit, each read
#   from whichever of its keys the service writes: the CPU reservation from
#   `deploy.resources.reservations.cpus`; the memory reservation from
#   `deploy.resources.reservations.memory` or the legacy `mem_reservation`; the CPU limit from
#   `deploy.resources.limits.cpus` or the legacy `cpus`; the memory limit from
#   `deploy.resources.limits.memory` or the legacy `mem_limit`. When a service writes both keys
#   of a setting, the `deploy.resources` one is used (Compose rejects distinct values), so a
#   problem gives one finding. CPU counts are compared as numbers (`"0.5"`, `1.5`);
#   memory as Compose byte values, whose units are powers of 1024 in any case (`512m`, `1g`,
#   `1gb`, `1GiB`, `2048k`, `1.5G`, a number of bytes), so `1g` equals `1024m`; equal values
#   pass. A limit of `0` is no limit. Values that are not valid are left to Compose, which
#   rejects them.
# related_resources:
#   - ref: https://docs.docker.com/reference/compose-file/deploy/#resources
#     description: Compose Deploy Specification (resources)
#   - ref: https://docs.docker.com/reference/compose-file/extension/#specifying-byte-values
#     description: Compose specification, byte values
# custom:
#   targets: [compose-service]
#   why: |
#     Docker refuses to create a container whose memory reservation is above its
#     memory limit ("Minimum memory limit can not be less than memory reservation limit"), so the
#     service never starts; a CPU reservation above the CPU limit makes Swarm set aside CPUs the
#     container is never allowed to use.
#   remediation: |
#     Lower the reservation or raise the limit so that the reservation is at most the limit;
#     mind the units (Compose's `1g` is 1024 MiB, and Kubernetes suffixes like `Mi` are not
#     valid here).
package rampart.checks.request_exceeds_limit.compose

import rego.v1

import data.rampart.lib.compose_resources as cr

deny contains {
	"msg": sprintf("service `%s` reserves more %s (%s: %v) than its limit (%s: %v)", [input.name, names[resource], concat(".", r.path), r.value, concat(".", l.path), l.value]),
	"path": r.path,
	"related": [{"msg": sprintf("the %s limit is %v", [names[resource], l.value]), "path": l.path}],
} if {
	some resource in ["cpus", "memory"]
	r = cr.setting(input.service, "reservations", resource)
	l = cr.setting(input.service, "limits", resource)
	cr.exceeds(resource, r.value, l.value)
}

names := {"cpus": "CPU", "memory": "memory"}
