"""The slices a gates file names, checked against the store: a typo is an error, not a rule
judged on no case.

Every rule whose ``slice`` names a slice or a ``meta.<field>`` that no current case has is
reported, each with its ``file:line`` and "did you mean"; the gate then stops with a usage error
instead of flagging the rule for want of evidence. A known slice with a value no case has yet
(``policy_edge=yes`` before the first policy edge case) is not a typo: the rule is judged, and
says its scope has no reviewed case.

This module is part of the pure core: no textual, rich or click.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from labeler.text.display import safe_inline
from labeler.text.suggest import UnknownName, check_known

if TYPE_CHECKING:
    from labeler.gates.spec import GatesSpec


def unknown_gate_slices(
    spec: GatesSpec, slices: Mapping[str, Collection[str]], meta_fields: Collection[str]
) -> list[str]:
    """``file:line: rule #n (name): unknown slice ...`` for every rule scoped by an unknown
    slice name or meta field; empty when every scope is known."""
    problems: list[str] = []
    for index, rule in enumerate(spec.rules):
        scope = rule.scope
        if scope is None:
            continue
        key = scope[0]
        try:
            if key.startswith("meta."):
                check_known("meta field", key, [f"meta.{field}" for field in meta_fields])
            else:
                check_known("slice", key, slices)
        except UnknownName as exc:
            line = spec.key_line(index, "slice")
            where = spec.source if line is None else f"{spec.source}:{line}"
            name = f" ({safe_inline(rule.name, 40)})" if rule.name else ""
            problems.append(f"{where}: rule #{index + 1}{name}: {exc}")
    return problems


def in_file_order(problems: list[str], source: str) -> list[str]:
    """Problems ``source:line: ...`` sorted by line (those without a line last, kept in order)."""

    def line_of(problem: str) -> int:
        rest = problem[len(source) + 1 :] if problem.startswith(source + ":") else ""
        number = rest.partition(":")[0]
        return int(number) if number.isdigit() else 1 << 30

    return sorted(problems, key=line_of)
