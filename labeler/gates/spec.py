"""The gates file: its pydantic models, and loading it with every mistake named by line.

A gates file is TOML with one ``[[rule]]`` table per rule (see :mod:`labeler.gates.example`
for a commented one). Unknown keys are errors, numbers must be numbers, and bucket keys are
checked against the store's taxonomy (:func:`check_buckets`), so a typo never turns a rule
into one that silently passes.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from labeler.taxonomy import Taxonomy
from labeler.text.display import safe_inline
from labeler.text.toml_input import TomlInputError, decode_toml_bytes, loads_toml

KINDS = ("bucket_rate", "must_pass", "json_valid", "latency", "regression")
Action = Literal["block", "flag"]
IntervalMethod = Literal["wilson", "anytime"]
INTERVAL_FIELD = Field(
    default=None,
    description='The 95% interval: "wilson" (one planned look) or "anytime" (valid however often '
    "the gate is run); default: the file's interval.",
)


class GatesFileError(ValueError):
    """A gates file that cannot be used; the message names ``file:line`` for every problem."""


class _Rule(BaseModel):
    """What every rule has: a name, what a failure does, and an optional slice."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    on_fail: Action = Field(description="What a failing rule does to the release.")
    slice: str | None = Field(
        default=None, description='Limit the rule to cases with this slice, e.g. "length=long".'
    )
    on_insufficient: Action = Field(
        default="flag", description="What a rule without enough evidence does (never a pass)."
    )

    @field_validator("slice")
    @classmethod
    def _slice(cls, value: str | None) -> str | None:
        if value is None:
            return None
        key, sep, _ = value.partition("=")
        if not sep or not key:
            raise ValueError('a slice is "name=value", e.g. "length=long" (or "meta.model=gpt-x")')
        if key == "meta.":
            raise ValueError('give the meta field after "meta.", e.g. "meta.model=gpt-x"')
        return value

    @property
    def scope(self) -> tuple[str, str] | None:
        """``(slice name, value)``, or None for all cases."""
        if self.slice is None:
            return None
        key, _, wanted = self.slice.partition("=")
        return key, wanted


class _BucketRule(_Rule):
    """A rule over final bucket counts: it can demand evidence before it gives a verdict."""

    min_reviewed: int = Field(default=0, ge=0, description="Reviewed cases needed in scope.")
    min_agreement: float | None = Field(
        default=None,
        ge=-1.0,
        le=1.0,
        allow_inf_nan=False,
        description="Minimum per-bucket agreement (alpha or kappa) before a verdict.",
    )
    agreement_metric: Literal["alpha", "kappa"] = "alpha"


class BucketRateRule(_BucketRule):
    """A bucket's rate per 1,000 reviewed cases must be at most ``max_per_1000``."""

    kind: Literal["bucket_rate"]
    bucket: str
    max_per_1000: float = Field(ge=0.0, allow_inf_nan=False)
    bound: Literal["point", "upper"] = Field(
        default="point", description="Compare the rate itself, or its 95% upper bound."
    )
    interval: IntervalMethod | None = INTERVAL_FIELD


class MustPassRule(_BucketRule):
    """A bucket must have no case at all; without ``bucket``, every must-pass bucket."""

    kind: Literal["must_pass"]
    bucket: str | None = None
    interval: IntervalMethod | None = INTERVAL_FIELD


class _MetaRule(_Rule):
    """A rule over the cases' meta: evidence is the number of cases it is measured on."""

    min_cases: int = Field(default=0, ge=0, description="Measured cases needed in scope.")


class JsonValidRule(_MetaRule):
    """The share of outputs that parse as JSON, where meta.output_format is json."""

    kind: Literal["json_valid"]
    min_share: float = Field(ge=0.0, le=1.0, allow_inf_nan=False)
    bound: Literal["point", "lower"] = Field(
        default="point", description="Compare the share itself, or its 95% lower bound."
    )
    interval: IntervalMethod | None = INTERVAL_FIELD


class LatencyRule(_MetaRule):
    """Latency p50 or p95 (from meta.latency_ms) must be at most ``max_ms``."""

    kind: Literal["latency"]
    percentile: Literal[50, 95]
    max_ms: float = Field(gt=0.0, allow_inf_nan=False)


class RegressionRule(_BucketRule):
    """The candidate version's rate of a bucket may rise over the baseline's by at most
    ``max_increase_per_1000`` (the cells of ``labeler compare``). ``min_reviewed`` applies to
    each version."""

    kind: Literal["regression"]
    bucket: str | None = None
    must_pass: bool = Field(default=False, description="One rule per must-pass bucket.")
    baseline: str | None = Field(default=None, min_length=1)
    candidate: str | None = Field(default=None, min_length=1)
    by: str | None = Field(
        default=None, description="The version field; default meta.prompt_version, else meta.model."
    )
    pair_key: str = "meta.input_id"
    max_increase_per_1000: float = Field(default=0.0, ge=0.0, allow_inf_nan=False)
    bound: Literal["lower", "point", "upper"] = Field(
        default="lower",
        description="Compare the lower bound of the increase (clear evidence), the point, or "
        "the upper bound (until the data show no regression).",
    )

    @field_validator("by", "pair_key")
    @classmethod
    def _meta_field(cls, value: str | None) -> str | None:
        if value is not None and (not value.startswith("meta.") or value == "meta."):
            raise ValueError('a version or pair field is "meta.<field>", e.g. "meta.model"')
        return value

    @model_validator(mode="after")
    def _one_bucket_choice(self) -> RegressionRule:
        if (self.bucket is None) != self.must_pass:
            raise ValueError('give bucket = "..." or must_pass = true (one of them)')
        return self


AnyRule = BucketRateRule | MustPassRule | JsonValidRule | LatencyRule | RegressionRule
Rule = Annotated[AnyRule, Field(discriminator="kind")]
_MODELS: dict[str, type[_Rule]] = {
    "bucket_rate": BucketRateRule,
    "must_pass": MustPassRule,
    "json_valid": JsonValidRule,
    "latency": LatencyRule,
    "regression": RegressionRule,
}


class GatesFile(BaseModel):
    """The whole file: a non-empty list of rules, and the interval they use by default."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    interval: IntervalMethod = Field(
        default="wilson",
        description='The 95% interval of every rule that does not choose: "wilson" or "anytime".',
    )
    rule: list[Rule] = Field(min_length=1)


@dataclass(frozen=True)
class GatesSpec:
    """A validated gates file and where each rule came from."""

    rules: tuple[AnyRule, ...]
    source: str
    """The file name as given (for messages and the report)."""
    sha256: str
    """Digest of the file's bytes as read, for the release decision record."""
    lines: tuple[int | None, ...]
    """Line of each rule's ``[[rule]]`` header (None when it cannot be found)."""
    text: str
    interval: IntervalMethod = "wilson"
    """The file's ``interval`` (each rule may choose its own)."""

    def interval_of(self, rule: AnyRule) -> IntervalMethod:
        """The interval a rule uses: its own ``interval``, else the file's."""
        own: IntervalMethod | None = getattr(rule, "interval", None)
        return own or self.interval

    def key_line(self, index: int, key: str) -> int | None:
        """The line of ``key = ...`` inside rule ``index``, else the rule's header line."""
        return _key_line(self.text, list(self.lines), index, key)


_HEADER = re.compile(r"^\s*\[\[\s*rule\s*\]\]")


def _rule_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), start=1) if _HEADER.match(line)]


def _key_line(text: str, headers: Sequence[int | None], index: int, key: str) -> int | None:
    """Find ``key =`` between rule ``index``'s header and the next table header."""
    if index >= len(headers) or headers[index] is None:
        return None
    start = headers[index]
    assert start is not None
    lines = text.splitlines()
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if re.match(r"^\s*\[", line):
            break
        if pattern.match(line):
            return number
    return start


def _top_key_line(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*(?:\[+\s*)?{re.escape(key)}\s*(?:=|\]|\.)")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _where(source: str, line: int | None) -> str:
    return f"{source}:{line}" if line is not None else source


def _got(err: Any) -> str:
    value = err.get("input")
    if isinstance(value, dict | list) or value is None:
        return ""
    return f" (got {safe_inline(repr(value), 60)})"


Problem = tuple[int | None, str]


def _message(err: Any) -> str:
    text = str(err["msg"])
    return text.removeprefix("Value error, ")


def _rule_problem(err: Any, data: dict[str, Any], text: str, headers: list[int]) -> Problem:
    loc = err["loc"]
    index: int = loc[1]
    rest = [str(p) for p in loc[2:]]
    if rest and rest[0] in KINDS:
        rest = rest[1:]
    raw = data["rule"][index] if index < len(data["rule"]) else {}
    raw = raw if isinstance(raw, dict) else {}
    kind, name = raw.get("kind"), raw.get("name")
    label = f"rule #{index + 1}" + (f" ({safe_inline(name, 40)})" if isinstance(name, str) else "")
    field = rest[0] if rest else None
    line = _key_line(text, headers, index, field) if field else None
    if line is None and index < len(headers):
        line = headers[index]
    kinds = ", ".join(KINDS)
    match err["type"]:
        case "union_tag_not_found":
            return line, f"{label}: no kind; use kind = one of {kinds}"
        case "union_tag_invalid":
            kind_line = _key_line(text, headers, index, "kind")
            return (
                kind_line,
                f"{label}: unknown kind {safe_inline(repr(kind), 40)}; use one of {kinds}",
            )
        case "extra_forbidden":
            model = _MODELS.get(kind) if isinstance(kind, str) else None
            takes = (
                ", ".join(["kind", *(f for f in model.model_fields if f != "kind")])
                if model
                else ""
            )
            return line, (
                f"{label}: unknown key {safe_inline(repr(field), 40)}"
                + (f"; a {kind} rule takes: {takes}" if takes else "")
            )
        case "missing":
            return line, f"{label}: {field} is required"
        case "model_type" | "dict_type" | "model_attributes_type" if not rest:
            return line, f"{label}: a rule must be a [[rule]] table"
    what = ".".join(rest) or "rule"
    return line, f"{label}: {what}: {_message(err)}{_got(err)}"


def _problems(exc: ValidationError, data: dict[str, Any], text: str) -> list[Problem]:
    headers = _rule_lines(text)
    problems: list[Problem] = []
    for err in exc.errors():
        loc = err["loc"]
        if len(loc) >= 2 and loc[0] == "rule" and isinstance(loc[1], int):
            problems.append(_rule_problem(err, data, text, headers))
        elif loc == ("rule",) and err["type"] in ("missing", "too_short"):
            problems.append((None, "no [[rule]] entries found"))
        elif loc == ("rule",):
            problems.append((_top_key_line(text, "rule"), "rules must be [[rule]] tables"))
        elif err["type"] == "extra_forbidden":
            key = str(loc[0])
            problems.append(
                (
                    _top_key_line(text, key),
                    f"unknown top-level key {safe_inline(repr(key), 40)}; "
                    'a gates file holds interval = "wilson" or "anytime" and [[rule]] tables',
                )
            )
        else:
            what = ".".join(str(p) for p in loc) or "file"
            line = _top_key_line(text, str(loc[0])) if loc else None
            problems.append((line, f"{what}: {_message(err)}{_got(err)}"))
    return sorted(problems, key=lambda p: p[0] or 0)


def _joined(source: str, problems: list[Problem]) -> str:
    return "\n".join(f"{_where(source, line)}: {text}" for line, text in problems)


def parse_gates(text: str, source: str) -> GatesSpec:
    """Parse and validate gates TOML; raise :class:`GatesFileError` naming ``source:line``."""
    try:
        data = loads_toml(text)
    except TomlInputError as exc:
        raise GatesFileError(exc.located(source)) from None
    try:
        spec = GatesFile.model_validate(data)
    except ValidationError as exc:
        raise GatesFileError(_joined(source, _problems(exc, data, text))) from None
    headers = _rule_lines(text)
    lines = tuple(headers[i] if i < len(headers) else None for i in range(len(spec.rule)))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return GatesSpec(tuple(spec.rule), source, digest, lines, text, spec.interval)


def load_gates_file(path: str) -> GatesSpec:
    """Read and validate a gates file (UTF-8, a BOM allowed)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise GatesFileError(f"{path}: cannot read the gates file: {reason}") from None
    try:
        text = decode_toml_bytes(raw)
    except TomlInputError as exc:
        raise GatesFileError(exc.located(path)) from None
    spec = parse_gates(text, path)
    return GatesSpec(
        spec.rules,
        spec.source,
        hashlib.sha256(raw).hexdigest(),
        spec.lines,
        text,
        spec.interval,
    )


def check_buckets(spec: GatesSpec, taxonomy: Taxonomy) -> None:
    """Every bucket a rule names must be in the taxonomy; a bare must_pass needs must-pass ones.

    Raises :class:`GatesFileError` listing every problem with its line.
    """
    known = [b.key for b in taxonomy.buckets]
    shown = ", ".join(safe_inline(k, 64) for k in known) or "(none)"
    problems: list[str] = []
    for index, rule in enumerate(spec.rules):
        if not isinstance(rule, BucketRateRule | MustPassRule | RegressionRule):
            continue
        if rule.bucket is None:
            if not any(b.must_pass for b in taxonomy.buckets):
                problems.append(
                    f"{_where(spec.source, spec.lines[index])}: rule #{index + 1}: must_pass "
                    "without a bucket, but the store's taxonomy marks no bucket must-pass; name "
                    f"one with bucket = ... (known buckets: {shown})"
                )
            continue
        if rule.bucket not in known:
            line = spec.key_line(index, "bucket")
            problems.append(
                f"{_where(spec.source, line)}: rule #{index + 1}: unknown bucket "
                f"{safe_inline(repr(rule.bucket), 70)}; known buckets: {shown}"
            )
    if problems:
        raise GatesFileError("\n".join(problems))
