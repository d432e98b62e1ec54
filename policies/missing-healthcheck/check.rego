# METADATA
# scope: subpackages
# title: Service has no healthcheck
# custom:
#   id: missing-healthcheck
#   severity: medium
#   family: probes
package rampart.checks.missing_healthcheck
