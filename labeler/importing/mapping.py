"""``--map TARGET=SOURCE``: read logs of another shape.

Each rule names a field of a case (``id``, ``input``, ``context``, ``output``, ``expected``,
``meta.NAME`` or ``slices.NAME``) and a dotted path in the source record where its value is::

    --map input=request.messages --map output=response.text
    --map meta.model=model_name --map slices.channel=source

In JSON lines, the path walks nested objects (``response.text`` is ``record["response"]["text"]``;
a key that itself holds a dot cannot be reached). Mapped source keys are removed from the record,
and objects left empty by that are removed too, so they do not also land in ``meta`` (unknown
top-level keys go there). In CSV, SOURCE is a column name (``--map output=response``), and
``slices.NAME`` is the ``slice.NAME`` column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from labeler.importing.wording import json_type
from labeler.text.display import safe_inline

FIELDS = ("id", "input", "context", "output", "expected")
"""Top-level targets; ``meta.NAME`` and ``slices.NAME`` (or ``slice.NAME``) are the others."""


class MappingError(ValueError):
    """A ``--map`` option that cannot be used; the message says how to write it."""


class MapMiss(ValueError):
    """One record (or CSV header) does not fit the mapping; the message is the reason."""


@dataclass(frozen=True, slots=True)
class MapRule:
    """One ``TARGET=SOURCE`` rule."""

    target: tuple[str, ...]
    """``("output",)``, ``("meta", "model")`` or ``("slices", "channel")``."""
    source: tuple[str, ...]
    """The path in the source record, split on dots."""
    text: str
    """The rule as the user wrote it (for messages)."""

    @property
    def csv_source(self) -> str:
        """The source column name in a CSV file."""
        return ".".join(self.source)

    @property
    def csv_target(self) -> str:
        """The canonical CSV column for the target (``slice.NAME`` for a slice)."""
        if self.target[0] == "slices":
            return f"slice.{self.target[1]}"
        return ".".join(self.target)


@dataclass(frozen=True, slots=True)
class Mapping:
    """The parsed ``--map`` rules; an empty mapping changes nothing."""

    rules: tuple[MapRule, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.rules)

    def apply(self, record: dict[str, Any]) -> dict[str, Any]:
        """Return the record reshaped by the rules (the input dict is changed in place).

        Raises MapMiss when a source path is absent or a target is already present.
        """
        if not self.rules:
            return record
        values = []
        for rule in self.rules:
            found, value = _get(record, rule.source)
            if not found:
                raise MapMiss(
                    f"no `{_shown_path(rule.source)}` in this record "
                    f"(needed by --map {safe_inline(rule.text, 120)})"
                )
            values.append(value)
        for rule in sorted(self.rules, key=lambda r: -len(r.source)):
            _remove(record, rule.source)
        for rule, value in zip(self.rules, values, strict=True):
            _put(record, rule, value)
        return record

    def csv_header(self, header: list[str]) -> list[str]:
        """Rename the CSV columns named by the rules to their targets.

        Raises MapMiss (a reason for the whole file) when a source column is absent or its
        target column is also present.
        """
        renamed = list(header)
        for rule in self.rules:
            source = rule.csv_source
            if source not in header:
                raise MapMiss(
                    f"no column `{safe_inline(source, 60)}` (needed by --map "
                    f"{safe_inline(rule.text, 120)}); the header has "
                    + ", ".join(f"`{safe_inline(h, 40)}`" for h in header[:20])
                )
            target = rule.csv_target
            aliases = {target, target.replace("slice.", "slices.", 1)}
            if any(h in aliases for h in header if h != source):
                raise MapMiss(
                    f"the header already has the column `{safe_inline(target, 60)}` that "
                    f"--map {safe_inline(rule.text, 120)} would make: drop one of them"
                )
            renamed[header.index(source)] = target
        return renamed


def parse_mapping(specs: Iterable[str]) -> Mapping:
    """Parse ``TARGET=SOURCE`` strings; raise MappingError saying how to write a bad one."""
    rules: list[MapRule] = []
    seen: dict[tuple[str, ...], str] = {}
    for spec in specs:
        rule = _parse_rule(spec)
        if rule.target in seen:
            raise MappingError(
                f"--map {safe_inline(spec, 120)}: `{'.'.join(rule.target)}` is already mapped "
                f"by --map {safe_inline(seen[rule.target], 120)}"
            )
        seen[rule.target] = spec
        rules.append(rule)
    return Mapping(tuple(rules))


def _parse_rule(spec: str) -> MapRule:
    shown = safe_inline(spec, 120)
    example = "e.g. --map output=response.text or --map meta.model=model_name"
    if spec.count("=") != 1:
        raise MappingError(f"--map {shown}: write TARGET=SOURCE with one `=`, {example}")
    target_text, source_text = (part.strip() for part in spec.split("="))
    if not target_text or not source_text:
        raise MappingError(f"--map {shown}: both TARGET and SOURCE are needed, {example}")
    source = tuple(source_text.split("."))
    if any(not part for part in source):
        raise MappingError(
            f"--map {shown}: the source path `{safe_inline(source_text, 80)}` has an empty "
            "part (two dots in a row, or a dot at an end)"
        )
    head, _, name = target_text.partition(".")
    if head in FIELDS and not name:
        target: tuple[str, ...] = (head,)
    elif head in ("meta", "slices", "slice") and name:
        target = ("slices" if head == "slice" else head, name)
    else:
        raise MappingError(
            f"--map {shown}: unknown target `{safe_inline(target_text, 80)}`; a target is one of "
            f"{', '.join(FIELDS)}, meta.NAME or slices.NAME"
        )
    return MapRule(target=target, source=source, text=spec)


def _shown_path(path: tuple[str, ...]) -> str:
    return safe_inline(".".join(path), 80)


def _get(record: dict[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    node: Any = record
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _remove(record: dict[str, Any], path: tuple[str, ...]) -> None:
    """Delete the key at ``path`` and every object that this leaves empty on the way up."""
    parents: list[dict[str, Any]] = []
    node: Any = record
    for part in path[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            return
        parents.append(node)
        node = node[part]
    if not isinstance(node, dict) or path[-1] not in node:
        return
    del node[path[-1]]
    for depth in range(len(path) - 2, -1, -1):
        child = parents[depth][path[depth]]
        if child:
            break
        del parents[depth][path[depth]]


def _put(record: dict[str, Any], rule: MapRule, value: Any) -> None:
    key = rule.target[0]
    if len(rule.target) == 1:
        if key in record:
            raise MapMiss(
                f"has both `{key}` and `{_shown_path(rule.source)}` "
                f"(--map {safe_inline(rule.text, 120)}): drop one of them"
            )
        record[key] = value
        return
    holder = record.setdefault(key, {})
    if not isinstance(holder, dict):
        raise MapMiss(f"`{key}` should be an object, not {json_type(holder)}")
    name = rule.target[1]
    if name in holder:
        raise MapMiss(
            f"has both `{key}.{safe_inline(name, 60)}` and `{_shown_path(rule.source)}` "
            f"(--map {safe_inline(rule.text, 120)}): drop one of them"
        )
    holder[name] = value
