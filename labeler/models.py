"""Records that cross a boundary: a case as imported, validated with pydantic.

A case file may come from any log; every field is checked here before it reaches the store.
Unknown top-level keys go into ``meta`` (never into new columns).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MAX_FIELD_CHARS = 5_000_000
"""The largest text a single field may hold (5 million characters)."""

KNOWN_KEYS = frozenset({"id", "input", "context", "output", "expected", "slices", "meta"})


class ChatTurn(BaseModel):
    """One turn of a chat transcript."""

    model_config = ConfigDict(extra="forbid", strict=True)

    role: str = Field(min_length=1, max_length=100)
    content: str = Field(max_length=MAX_FIELD_CHARS)


class ContextDoc(BaseModel):
    """One retrieved document."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: str | None = Field(default=None, max_length=10_000)
    text: str = Field(max_length=MAX_FIELD_CHARS)
    source: str | None = Field(default=None, max_length=10_000)


class CaseRecord(BaseModel):
    """One failed (or sampled) interaction, as read from a JSONL line or a CSV row."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: str | None = Field(default=None, min_length=1, max_length=1_000)
    input: str | list[ChatTurn] = Field(max_length=MAX_FIELD_CHARS)
    context: str | list[str | ContextDoc] | None = None
    output: str | None = Field(max_length=MAX_FIELD_CHARS)
    expected: Any = None
    slices: dict[str, str] = Field(default_factory=dict)
    meta: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _unknown_keys_to_meta(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        extra = {k: v for k, v in data.items() if k not in KNOWN_KEYS}
        if not extra:
            return data
        known = {k: v for k, v in data.items() if k in KNOWN_KEYS}
        meta = known.get("meta")
        if meta is None:
            meta = {}
        if isinstance(meta, dict):
            merged = dict(extra)
            merged.update(meta)  # an explicit meta field wins over a stray top-level key
            known["meta"] = merged
        return known

    @field_validator("slices", mode="before")
    @classmethod
    def _slice_scalars_to_text(cls, value: Any) -> Any:
        """Numbers and booleans in slices become text (``{"turns": 3}`` is slice turns=3)."""
        if isinstance(value, dict):
            return {
                k: (json.dumps(v) if isinstance(v, bool | int | float) else v)
                for k, v in value.items()
            }
        return value

    @field_validator("slices")
    @classmethod
    def _slice_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name, slice_value in value.items():
            if not name:
                raise ValueError("a slice name is empty")
            if len(name) > 200 or len(slice_value) > 1_000:
                raise ValueError(f"slice {name[:40]!r} is too long (names 200, values 1000 chars)")
        return value

    @field_validator("expected")
    @classmethod
    def _expected_size(cls, value: Any) -> Any:
        if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
            raise ValueError(f"expected is longer than {MAX_FIELD_CHARS:,} characters")
        return value

    def context_docs(self) -> list[ContextDoc]:
        """The context as a list of documents (a plain string is one untitled document)."""
        if self.context is None:
            return []
        if isinstance(self.context, str):
            return [ContextDoc(text=self.context)]
        return [ContextDoc(text=d) if isinstance(d, str) else d for d in self.context]

    def input_kind(self) -> Literal["text", "chat"]:
        """``text`` for a plain string input, ``chat`` for a transcript."""
        return "text" if isinstance(self.input, str) else "chat"

    def stored_input(self) -> str:
        """The input as stored: the text itself, or the transcript as JSON."""
        if isinstance(self.input, str):
            return self.input
        return dumps([t.model_dump() for t in self.input])

    def stored_context(self) -> str | None:
        """The context documents as stored JSON, or None."""
        docs = self.context_docs()
        return dumps([d.model_dump() for d in docs]) if docs else None

    def stored_expected(self) -> str | None:
        """The expected output as stored: a string as is, anything else as JSON."""
        if self.expected is None or isinstance(self.expected, str):
            return self.expected
        return dumps(self.expected)

    def content_hash(self) -> str:
        """A stable hash of everything but the id: equal content, equal hash."""
        return hash_stored_parts(
            [
                self.input_kind(),
                self.stored_input(),
                self.stored_context(),
                self.output,
                self.stored_expected(),
                dumps(self.slices),
                dumps(self.meta),
            ]
        )

    def case_id(self) -> str:
        """The id as given, or ``h-`` and the first 16 hex digits of the content hash."""
        return self.id if self.id is not None else f"h-{self.content_hash()[:16]}"


_NONE_PART = b"\xff" * 8


def hash_stored_parts(parts: list[str | None]) -> str:
    """SHA-256 of the stored texts of a case, each length-prefixed (None has its own marker).

    Order: input kind, input, context, output, expected, slices JSON, meta JSON. Hashing the
    stored texts directly (rather than a JSON document of them) escapes nothing twice. Raises
    UnicodeEncodeError for a lone surrogate, which SQLite could not store either.
    """
    digest = hashlib.sha256()
    for part in parts:
        if part is None:
            digest.update(_NONE_PART)
        else:
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big"))
            digest.update(data)
    return digest.hexdigest()


def dumps(value: Any) -> str:
    """Compact JSON with sorted keys and raw (non-escaped) Unicode: how the store keeps JSON."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
