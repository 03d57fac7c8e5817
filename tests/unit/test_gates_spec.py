"""The gates file: validation, and every mistake reported with its line."""

from __future__ import annotations

import pytest

from labeler.gates import EXAMPLE_GATES, GatesFileError, check_buckets, parse_gates
from labeler.gates.spec import BucketRateRule, JsonValidRule, LatencyRule, MustPassRule
from labeler.taxonomy import Taxonomy, default_taxonomy


def problems(text: str) -> str:
    with pytest.raises(GatesFileError) as info:
        check_buckets(parse_gates(text, "g.toml"), default_taxonomy())
    return str(info.value)


def test_the_example_is_a_valid_gates_file_with_every_kind() -> None:
    spec = parse_gates(EXAMPLE_GATES, "example")
    check_buckets(spec, default_taxonomy())
    kinds = {type(r) for r in spec.rules}
    assert kinds == {BucketRateRule, MustPassRule, JsonValidRule, LatencyRule}
    assert all(line is not None for line in spec.lines)
    assert EXAMPLE_GATES.lstrip().startswith("#")


def test_a_full_rule_is_read() -> None:
    spec = parse_gates(
        """
[[rule]]
name = "rare"
kind = "bucket_rate"
bucket = "wrong_intent"
slice = "length=long"
max_per_1000 = 5
bound = "upper"
on_fail = "flag"
min_reviewed = 30
min_agreement = 0.6
agreement_metric = "kappa"
on_insufficient = "block"
""",
        "g.toml",
    )
    (r,) = spec.rules
    assert isinstance(r, BucketRateRule)
    assert (r.name, r.bucket, r.scope, r.max_per_1000, r.bound) == (
        "rare",
        "wrong_intent",
        ("length", "long"),
        5.0,
        "upper",
    )
    assert (r.on_fail, r.min_reviewed, r.min_agreement, r.agreement_metric, r.on_insufficient) == (
        "flag",
        30,
        0.6,
        "kappa",
        "block",
    )
    assert spec.lines == (2,)


def test_defaults() -> None:
    spec = parse_gates('[[rule]]\nkind = "must_pass"\non_fail = "block"\n', "g.toml")
    (r,) = spec.rules
    assert isinstance(r, MustPassRule)
    assert (r.bucket, r.slice, r.min_reviewed, r.min_agreement) == (None, None, 0, None)
    assert (r.agreement_metric, r.on_insufficient) == ("alpha", "flag")


def test_bad_toml_names_its_line() -> None:
    text = '[[rule]]\nkind = "must_pass"\non_fail = block\n'
    message = problems(text)
    assert message.startswith("g.toml:3: not valid TOML")


def test_unknown_key_names_its_line_and_the_keys_a_rule_takes() -> None:
    text = (
        '# gates\n\n[[rule]]\nkind = "latency"\npercentile = 95\nmax_ms = 10\n'
        'on_fail = "flag"\nmin_agreement = 0.5\n'
    )
    message = problems(text)
    assert "g.toml:8: rule #1: unknown key 'min_agreement'" in message
    assert "a latency rule takes: kind, name, on_fail" in message


def test_bad_threshold_type_names_the_line_of_the_fourth_rule() -> None:
    good = '[[rule]]\nkind = "must_pass"\non_fail = "block"\n\n'
    bad = (
        '[[rule]]\nkind = "bucket_rate"\nbucket = "other"\nmax_per_1000 = "five"\n'
        'on_fail = "flag"\n'
    )
    message = problems(good * 3 + bad)
    assert (
        message == "g.toml:16: rule #4: max_per_1000: Input should be a valid number (got 'five')"
    )


def test_every_mistake_is_reported_in_line_order() -> None:
    text = (
        '[[rule]]\nkind = "latency"\npercentile = 90\nmax_ms = -1\non_fail = "maybe"\n'
        '[[rule]]\nkind = "json_valid"\nmin_share = 1.5\non_fail = "flag"\nslice = "oops"\n'
        '[[rule]]\nkind = "nope"\non_fail = "flag"\n'
        '[[rule]]\non_fail = "flag"\n'
        '[[rule]]\nkind = "bucket_rate"\nbucket = "other"\non_fail = "flag"\n'
        "extra = 1\n"
    )
    lines = problems(text).splitlines()
    assert [line.split(":")[1] for line in lines] == [
        "3",
        "4",
        "5",
        "8",
        "10",
        "12",
        "14",
        "16",
        "20",
    ]
    assert "percentile: Input should be 50 or 95 (got 90)" in lines[0]
    assert "on_fail: Input should be 'block' or 'flag' (got 'maybe')" in lines[2]
    assert 'slice: a slice is "name=value"' in lines[4]
    assert "unknown kind 'nope'" in lines[5]
    assert "rule #4: no kind" in lines[6]
    assert "rule #5: max_per_1000 is required" in lines[7]
    assert "unknown key 'extra'" in lines[8]


@pytest.mark.parametrize("value", ["nan", "inf", "true", "[1]"])
def test_numbers_must_be_finite_numbers(value: str) -> None:
    text = f'[[rule]]\nkind = "json_valid"\nmin_share = {value}\non_fail = "flag"\n'
    assert problems(text).startswith("g.toml:3: rule #1: min_share:")


def test_unknown_bucket_names_the_bucket_the_line_and_the_known_ones() -> None:
    text = (
        '[[rule]]\nkind = "must_pass"\non_fail = "block"\n\n[[rule]]\nname = "x"\n'
        'kind = "bucket_rate"\nbucket = "unsafe_pi"\nmax_per_1000 = 1\non_fail = "flag"\n'
    )
    message = problems(text)
    assert message.startswith("g.toml:8: rule #2: unknown bucket 'unsafe_pi'; known buckets: ")
    assert "wrong_intent, bad_extraction" in message and "unsafe_pii" in message


def test_must_pass_without_bucket_needs_a_must_pass_bucket() -> None:
    buckets = [b.model_copy(update={"must_pass": False}) for b in default_taxonomy().buckets]
    taxonomy = Taxonomy(bucket=buckets)
    spec = parse_gates('[[rule]]\nkind = "must_pass"\non_fail = "block"\n', "g.toml")
    with pytest.raises(GatesFileError, match=r"g.toml:1: rule #1: must_pass without a bucket"):
        check_buckets(spec, taxonomy)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "g.toml: no [[rule]] entries found"),
        ("rule = []\n", "g.toml: no [[rule]] entries found"),
        (
            'title = "x"\n[[rule]]\nkind = "must_pass"\non_fail = "block"\n',
            "g.toml:1: unknown top-level key 'title'",
        ),
        ('[rule]\nkind = "must_pass"\n', "g.toml:1: rules must be [[rule]] tables"),
    ],
)
def test_file_level_mistakes(text: str, expected: str) -> None:
    assert problems(text).startswith(expected)


def test_messages_cannot_carry_terminal_escapes() -> None:
    text = (
        '[[rule]]\nname = "\\u001b[31mred"\nkind = "must_pass"\non_fail = "block"\n'
        'bucket = "\\u001b]8;;x\\u0007"\n'
    )
    message = problems(text)
    assert "\x1b" not in message and "\x07" not in message
    assert "unknown bucket" in message
