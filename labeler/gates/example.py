"""The commented gates file that ``labeler gate --example`` prints.

It is kept here as a string (package data only ships ``labeler/sample/*``); a test checks that
it parses and validates against the default taxonomy.
"""

from __future__ import annotations

EXAMPLE_GATES = """\
# labeler release gates: one [[rule]] table per rule.
#
#   labeler gate STORE --gates gates.toml [--json] [--report decision.md]
#
# Exit status: 0 SHIP (every rule passes), 3 SHIP BEHIND A FLAG (some rule flags, none
# blocks), 1 BLOCK (some rule blocks), 2 a usage error or a bad gates file.
#
# Every rule has:
#   kind            bucket_rate | must_pass | json_valid | latency
#   on_fail         "block" or "flag": what a failing rule does to the release
#   name            optional; shown in the table and the report
#   slice           optional "name=value" (a case slice, or "meta.<field>=value"); default all
#   on_insufficient "flag" (default) or "block": what a rule that cannot be trusted yet does.
#                   A rule without enough evidence is NEVER a pass.
#
# Rules on buckets (bucket_rate, must_pass) count final buckets (resolution, else the bucket
# all reviewers agree on) and can demand evidence before they give a verdict:
#   min_reviewed      reviewed cases needed in the rule's scope (default 0; an empty scope is
#                     never a pass)
#   min_agreement     minimum agreement on the rule's bucket (one vs rest, over all cases)
#   agreement_metric  "alpha" (Krippendorff, default) or "kappa" (Cohen, two reviewers)
# Unresolved disagreements that include the rule's bucket are shown; when they could change
# the verdict, the rule is "not enough evidence" until they are resolved.
#
# Rules on meta (json_valid, latency) are measured on all current cases in scope:
#   min_cases         measured cases needed in the rule's scope (default 0)
#
# Which 95% interval rates and shares get: `interval` here for the whole file, or in a rule.
#   "wilson"   Wilson's score interval, the narrowest honest one for ONE planned look: a
#              release review on the cases labeled by a set date.
#   "anytime"  a confidence sequence (Robbins' beta-binomial mixture) that stays valid however
#              often you look. Use it when CI runs the gate on every push while labels come
#              in: each run is another look, and with Wilson a rate exactly at its threshold,
#              checked every 50 labels up to 5,000, gave a false BLOCK in 28.6% of simulated
#              runs instead of 2.5%; with "anytime", 0.2%. It is wider, so it needs more cases.
#   `labeler gate STORE --gates gates.toml --plan` says how many more reviewed cases each rule
#   needs before its interval decides it, with either interval.
interval = "wilson"

# A must-pass bucket must have zero cases. Without `bucket`, one rule per bucket that the
# store's taxonomy marks must_pass (`labeler taxonomy STORE` shows them).
[[rule]]
kind = "must_pass"
on_fail = "block"
min_reviewed = 200
min_agreement = 0.6
on_insufficient = "block"

# A must-pass bucket named here, in one slice only.
[[rule]]
name = "no invented policy on policy edge cases"
kind = "must_pass"
bucket = "invented_policy"
slice = "policy_edge=yes"
on_fail = "block"
min_reviewed = 50

# A bucket's rate per 1,000 reviewed cases must be at most max_per_1000. Rates come with a
# 95% interval; bound = "upper" compares its upper bound (strict while data is thin),
# bound = "point" (default) the rate itself.
[[rule]]
name = "wrong intent stays rare"
kind = "bucket_rate"
bucket = "wrong_intent"
max_per_1000 = 50
bound = "upper"
on_fail = "flag"
min_reviewed = 100
min_agreement = 0.4

[[rule]]
kind = "bucket_rate"
bucket = "bad_extraction"
slice = "length=long"
max_per_1000 = 80
on_fail = "flag"
min_reviewed = 50

# Share of outputs that parse as JSON, among cases whose meta.output_format is "json".
# bound = "lower" compares the 95% lower bound instead of the share itself.
[[rule]]
name = "JSON outputs parse"
kind = "json_valid"
min_share = 0.99
on_fail = "block"
min_cases = 100

# Latency from meta.latency_ms: percentile 50 or 95 must be at most max_ms.
[[rule]]
kind = "latency"
percentile = 95
max_ms = 4000
on_fail = "flag"

[[rule]]
kind = "latency"
percentile = 50
max_ms = 1500
slice = "channel=chat"
on_fail = "flag"
"""

REGRESSION_EXAMPLE = """\

# A regression rule compares two versions of the product on the same frozen cases, labeled
# blind (see `labeler compare`): the candidate's rate of a bucket per 1,000 reviewed cases may
# rise over the baseline's by at most max_increase_per_1000 (default 0). The version is a meta
# field (meta.prompt_version, else meta.model; or by = "meta.<field>"); cases sharing
# pair_key (default "meta.input_id") are compared as pairs. bound = "lower" (default) fails
# only on clear evidence of a regression, "point" on the estimate, "upper" until the data
# show there is none. min_reviewed applies to each version; must_pass = true instead of
# bucket gives one rule per must-pass bucket. baseline and candidate can come from the
# command line instead: labeler gate STORE --gates FILE --baseline v7 --candidate v8.
# Remove the leading "# " to use it:
#
# [[rule]]
# name = "v8 invents no more policy on policy edge cases than v7"
# kind = "regression"
# bucket = "invented_policy"
# slice = "policy_edge=yes"
# baseline = "v7"
# candidate = "v8"
# max_increase_per_1000 = 0
# bound = "lower"
# on_fail = "block"
# min_reviewed = 50
"""
"""A commented regression rule, printed after :data:`EXAMPLE_GATES` by ``gate --example``.

Kept apart so that :data:`EXAMPLE_GATES` (whose bytes and digest the pinned gate outputs
record) stays as it was.
"""
