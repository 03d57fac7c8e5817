"""The bucket taxonomy: its file format, the default buckets, and changing it safely.

A taxonomy file is TOML with one ``[[bucket]]`` table per bucket::

    [[bucket]]
    key = "wrong_intent"
    name = "Wrong intent"
    shortcut = "1"
    description = "The answer addresses a different request than the user made."
    must_pass = false
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from labeler.identity import Actor
from labeler.store import labels as label_rows
from labeler.store import taxonomy as bucket_rows
from labeler.store.connection import Store
from labeler.store.errors import StoreError
from labeler.store.events import record_event
from labeler.text.display import safe_inline
from labeler.text.toml_input import TomlInputError, decode_toml_bytes, loads_toml

RESERVED_SHORTCUTS = frozenset("abcdefgjknpqstuxz?/ ")
"""Keys the review and resolve screens use for themselves (a-f pick a reviewer's bucket)."""

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")


class Bucket(BaseModel):
    """One failure category."""

    model_config = ConfigDict(extra="forbid", strict=True)

    key: str = Field(description="A stable identifier, e.g. wrong_intent.")
    name: str = Field(min_length=1, max_length=100)
    shortcut: str = Field(description="The one key that assigns this bucket.")
    description: str = Field(default="", max_length=5_000)
    must_pass: bool = False

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not KEY_PATTERN.match(value):
            raise ValueError(
                "a bucket key must be 1-64 letters, digits, '_', '.' or '-' (e.g. wrong_intent)"
            )
        return value

    @field_validator("shortcut")
    @classmethod
    def _shortcut(cls, value: str) -> str:
        if len(value) != 1 or not value.isprintable() or not value.isascii():
            raise ValueError('a shortcut is exactly one printable ASCII key, e.g. "1" or "w"')
        if value in RESERVED_SHORTCUTS:
            raise ValueError(
                f"the shortcut {value!r} is used by the review screens; reserved keys: "
                + " ".join(sorted(RESERVED_SHORTCUTS - {" "}))
            )
        return value


class Taxonomy(BaseModel):
    """An ordered list of buckets with unique keys and shortcuts."""

    model_config = ConfigDict(extra="forbid", strict=True)

    bucket: list[Bucket] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> Taxonomy:
        seen_keys: dict[str, int] = {}
        seen_shortcuts: dict[str, str] = {}
        for b in self.bucket:
            if b.key in seen_keys:
                raise ValueError(f"bucket key {b.key!r} appears twice")
            seen_keys[b.key] = 1
            clash = seen_shortcuts.get(b.shortcut.lower())
            if clash is not None:
                raise ValueError(
                    f"buckets {clash!r} and {b.key!r} share the shortcut {b.shortcut!r}"
                )
            seen_shortcuts[b.shortcut.lower()] = b.key
        return self

    @property
    def buckets(self) -> list[Bucket]:
        """The buckets in bar order."""
        return self.bucket

    def by_key(self) -> dict[str, Bucket]:
        """Buckets by key."""
        return {b.key: b for b in self.bucket}

    def by_shortcut(self) -> dict[str, Bucket]:
        """Buckets by shortcut key."""
        return {b.shortcut: b for b in self.bucket}


def default_taxonomy() -> Taxonomy:
    """The default buckets, drawn from the failure kinds teams see most often."""
    return Taxonomy(
        bucket=[
            Bucket(key=k, name=n, shortcut=s, description=d, must_pass=m)
            for k, n, s, d, m in bucket_rows.DEFAULT_BUCKETS
        ]
    )


class TaxonomyFileError(ValueError):
    """A taxonomy file that cannot be used, with every problem named by line."""


def _bucket_lines(text: str) -> list[int]:
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if re.match(r"^\s*\[\[\s*bucket\s*\]\]", line)
    ]


def parse_taxonomy(text: str, source: str) -> Taxonomy:
    """Parse and validate taxonomy TOML; raise TaxonomyFileError naming ``source:line``."""
    try:
        data = loads_toml(text)
    except TomlInputError as exc:
        raise TaxonomyFileError(exc.located(source)) from None
    if "bucket" not in data:
        raise TaxonomyFileError(f"{source}: no [[bucket]] entries found")
    lines = _bucket_lines(text)
    try:
        return Taxonomy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err["loc"]
            where = source
            if len(loc) >= 2 and loc[0] == "bucket" and isinstance(loc[1], int):
                index = loc[1]
                if index < len(lines):
                    where = f"{source}:{lines[index]}"
                field = ".".join(str(p) for p in loc[2:]) or "bucket"
                problems.append(f"{where}: bucket #{index + 1} {field}: {err['msg']}")
            else:
                what = ".".join(str(p) for p in loc)
                prefix = f"{safe_inline(what, 60)}: " if what else ""
                problems.append(f"{where}: {prefix}{err['msg']}")
        raise TaxonomyFileError("\n".join(problems)) from None


def load_taxonomy_file(path: Path) -> Taxonomy:
    """Read a taxonomy TOML file."""
    source = safe_inline(str(path), 300)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TaxonomyFileError(f"{source}: cannot read: {exc.strerror or exc}") from None
    try:
        text = decode_toml_bytes(raw)
    except TomlInputError as exc:
        raise TaxonomyFileError(exc.located(source)) from None
    return parse_taxonomy(text, source)


def read_taxonomy(store: Store) -> Taxonomy:
    """The store's taxonomy, in bar order."""
    return Taxonomy.model_construct(
        bucket=[
            Bucket.model_construct(
                key=b.key,
                name=b.name,
                shortcut=b.shortcut,
                description=b.description,
                must_pass=b.must_pass,
            )
            for b in bucket_rows.read_buckets(store)
        ]
    )


def write_taxonomy(
    conn: sqlite3.Connection, taxonomy: Taxonomy, actor: Actor, *, kind: str = "taxonomy.set"
) -> None:
    """Replace the bucket rows inside the caller's transaction, logging before and after."""
    before = bucket_rows.bucket_rows(conn)
    bucket_rows.replace_bucket_rows(
        conn,
        [
            bucket_rows.BucketRow(b.key, b.name, b.shortcut, b.description, b.must_pass)
            for b in taxonomy.bucket
        ],
    )
    after = bucket_rows.bucket_rows(conn)
    record_event(conn, actor, kind, before=before, after=after)


def replace_taxonomy(
    store: Store, taxonomy: Taxonomy, actor: Actor, merges: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Set a new taxonomy. Buckets in use may only disappear through ``merges`` (OLD -> NEW).

    Merging moves every label and resolution of OLD to NEW, each move logged as an event.
    Returns the number of labels moved per old bucket.
    """
    merges = dict(merges or {})
    new_keys = {b.key for b in taxonomy.bucket}
    for old, new in merges.items():
        if new not in new_keys:
            raise StoreError(f"--merge {old}={new}: {new!r} is not a bucket of the new taxonomy")
    moved: dict[str, int] = {}
    with store.write() as conn:
        in_use = bucket_rows.bucket_use_counts(conn)
        missing = sorted(k for k in in_use if k not in new_keys and k not in merges)
        if missing:
            detail = ", ".join(f"{k} ({in_use[k]} labels)" for k in missing)
            raise StoreError(
                f"the new taxonomy drops buckets that have labels: {detail}. Keep them, or move "
                f"their labels with --merge OLD=NEW (e.g. --merge {missing[0]}=other)."
            )
        for old, new in merges.items():
            if old in new_keys:
                raise StoreError(f"--merge {old}={new}: {old!r} is still in the new taxonomy")
            moved[old] = _move_bucket(conn, old, new, actor)
        write_taxonomy(conn, taxonomy, actor)
    return moved


def _move_bucket(conn: sqlite3.Connection, old: str, new: str, actor: Actor) -> int:
    # The new bucket must exist before labels can point to it; write_taxonomy completes it later.
    bucket_rows.add_placeholder_bucket(conn, new)
    rows = label_rows.labels_in_bucket(conn, old)
    for r in rows:
        label_rows.move_label(conn, case_seq=r.case_seq, reviewer=r.reviewer, bucket=new)
        record_event(
            conn,
            actor,
            "label.merge",
            case_seq=r.case_seq,
            case_id=r.case_id,
            before={"reviewer": r.reviewer, "bucket": old},
            after={"reviewer": r.reviewer, "bucket": new},
        )
    for case_seq, case_id in bucket_rows.resolutions_in_bucket(conn, old):
        bucket_rows.move_resolution(conn, case_seq, new)
        record_event(
            conn,
            actor,
            "resolution.merge",
            case_seq=case_seq,
            case_id=case_id,
            before={"bucket": old},
            after={"bucket": new},
        )
    return len(rows)


_TOML_ESCAPED = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\U000e0000-\U000e007f]"
)
"""Characters written as ``\\uXXXX`` escapes in TOML strings: controls, bidi, zero-width, tags."""


def _toml_string(text: str) -> str:
    """A TOML basic string that keeps readable text as it is and escapes every character that
    could act on a terminal or hide itself (TOML allows ``\\uXXXX`` and ``\\UXXXXXXXX``)."""
    quoted = text.replace("\\", "\\\\").replace('"', '\\"')

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"

    return f'"{_TOML_ESCAPED.sub(escape, quoted)}"'


def taxonomy_to_toml(taxonomy: Taxonomy) -> str:
    """Write a taxonomy back as TOML (for `labeler taxonomy STORE --toml`)."""
    out = []
    for b in taxonomy.bucket:
        out.append("[[bucket]]")
        out.append(f"key = {_toml_string(b.key)}")
        out.append(f"name = {_toml_string(b.name)}")
        out.append(f"shortcut = {_toml_string(b.shortcut)}")
        out.append(f"description = {_toml_string(b.description)}")
        out.append(f"must_pass = {'true' if b.must_pass else 'false'}")
        out.append("")
    return "\n".join(out)
