# Reported by rampart itself (src/suppress.rs), not by a Rego rule: this header is the whole
# check.
# METADATA
# scope: subpackages
# title: Suppression that matches no finding
# description: >
#   A suppression (annotation, `x-rampart-ignore`, inline comment or config `ignore` entry) for
#   a check that ran and found nothing it could suppress.
# related_resources:
#   - ref: https://github.com/rampart-lint/rampart#suppressing-findings
#     description: Suppressing findings
# custom:
#   id: unused-suppression
#   severity: low
#   family: suppressions
#   targets: ["*"]
#   why: >
#     stale exceptions hide the next real problem at the same place and make reviews harder;
#     remove them once the problem is fixed.
#   remediation: Delete the suppression, or correct its check id or scope.
package rampart.checks.unused_suppression
