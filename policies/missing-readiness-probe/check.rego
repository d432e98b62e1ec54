# METADATA
# scope: subpackages
# title: Container has no readiness probe
# custom:
#   id: missing-readiness-probe
#   severity: medium
#   family: probes
package rampart.checks.missing_readiness_probe
