# Reported by rampart itself (src/suppress.rs), not by a Rego rule: this header is the whole
# check.
# METADATA
# scope: subpackages
# title: Suppression without a reason or for an unknown check
# description: >
#   An `ignore.rampart.dev/<check>` annotation, an `x-rampart-ignore` entry or a
#   `# rampart:ignore` comment whose reason is empty, or that names a check rampart does not
#   know. Such a suppression suppresses nothing.
# related_resources:
#   - ref: https://github.com/rampart-lint/rampart#suppressing-findings
#     description: Suppressing findings
# custom:
#   id: invalid-suppression
#   severity: low
#   family: suppressions
#   targets: ["*"]
#   why: >
#     an exception nobody can explain cannot be reviewed, and a misspelt check id silently
#     suppresses nothing.
#   remediation: >
#     Give the reason after the check ids
#     (`# rampart:ignore run-as-root the image needs root to bind :80`), or as the annotation's
#     value, and use a check id from `rampart checks`.
package rampart.checks.invalid_suppression
