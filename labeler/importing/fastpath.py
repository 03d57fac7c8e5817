"""The stored values of a record, checked and built without pydantic for the usual shapes.

Validating a 9 KB case with :class:`labeler.models.CaseRecord`, then serialising its context
again with ``model_dump`` and ``json.dumps(sort_keys=True)``, cost about 165 µs of the 300 µs
an import spent per record (``benchmarks/bench_import.py``, py-spy). Here a record whose every
field has one of the shapes a case file normally holds (plain strings, chat turns, context
documents, slices and metadata objects) is checked with plain type and length tests, and its
stored texts are written directly with the C string escaper that ``json.dumps`` itself uses.
The texts are encoded to UTF-8 once, for the content hash and for the store.

The result is the same as the model's, byte for byte: :func:`stored_row` returns None for
anything it is not sure about (a wrong type, a length over a limit, a key the model would
refuse), and the caller then takes the pydantic path, which gives the worded error. The hash is
:func:`labeler.models.hash_stored_parts`'s formula; ``tests/test_import_fastpath.py`` checks
both agree on many generated records.

The input is a record as the JSON or CSV reader gives it: every object key is a ``str``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, NamedTuple

MAX_FIELD_CHARS = 5_000_000
"""As :data:`labeler.models.MAX_FIELD_CHARS` (not imported: a parse worker starts without
pydantic; ``tests/test_import_fastpath.py`` checks the two agree)."""

KNOWN_KEYS = frozenset({"id", "input", "context", "output", "expected", "slices", "meta"})
"""As :data:`labeler.models.KNOWN_KEYS`."""

_ENC: Callable[[str], str] = json.encoder.encode_basestring
"""The escaper ``json.dumps(..., ensure_ascii=False)`` uses (the C one when available)."""

_NONE_PART = b"\xff" * 8
_MISSING: Any = object()
_SCALARS = (bool, int, float)


class StoredRow(NamedTuple):
    """What the store keeps for one valid record; texts as UTF-8 bytes."""

    case_id: str
    content_hash: str
    id_given: bool
    """False when the id is made from the content hash (``h-...``)."""
    input_kind: str
    input: bytes
    context: bytes | None
    output: bytes | None
    expected: bytes | None
    slices: str
    meta: str


def dumps(value: Any) -> str:
    """:func:`labeler.models.dumps` (compact, sorted keys, raw Unicode)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def stored_row(data: dict[str, Any]) -> StoredRow | None:
    """The stored values of ``data``, or None when only the model can tell.

    Raises UnicodeEncodeError for a lone surrogate in a stored text or the id, and
    RecursionError for a value nested too deeply to serialise, as the model path does.
    """
    fields = _fields(data)
    if fields is None:
        return None
    case_id, input_kind, stored_input, context, output, expected, slices, meta = fields
    digest = hashlib.sha256()
    for part in (
        input_kind.encode(),
        stored_input,
        context,
        output,
        expected,
        slices.encode("utf-8"),
        meta.encode("utf-8"),
    ):
        if part is None:
            digest.update(_NONE_PART)
        else:
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    content_hash = digest.hexdigest()
    if case_id is not None:
        case_id.encode("utf-8")  # a lone surrogate in the id: raise like the texts do
    return StoredRow(
        case_id if case_id is not None else f"h-{content_hash[:16]}",
        content_hash,
        case_id is not None,
        input_kind,
        stored_input,
        context,
        output,
        expected,
        slices,
        meta,
    )


_Fields = tuple[str | None, str, bytes, bytes | None, bytes | None, bytes | None, str, str]


def _fields(data: dict[str, Any]) -> _Fields | None:
    """(id, input kind, input, context, output, expected, slices, meta) as stored, or None.

    The four texts come as UTF-8 bytes (encoding raises UnicodeEncodeError on a surrogate).
    """
    meta: Any = data.get("meta", _MISSING)
    for key in data:
        if key not in KNOWN_KEYS:  # unknown keys go into meta, as CaseRecord does
            if meta is None or meta is _MISSING:
                meta = {}
            if type(meta) is not dict:
                return None
            merged = {k: v for k, v in data.items() if k not in KNOWN_KEYS}
            merged.update(meta)
            meta = merged
            break
    else:
        if meta is _MISSING:
            meta = {}
        elif type(meta) is not dict:
            return None
    for key in meta:
        if type(key) is not str:
            return None

    case_id = data.get("id")
    if case_id is not None and (type(case_id) is not str or not 0 < len(case_id) <= 1_000):
        return None

    if "input" not in data or "output" not in data:
        return None
    value = data["input"]
    stored_input: bytes | None
    if type(value) is str:
        if len(value) > MAX_FIELD_CHARS:
            return None
        input_kind, stored_input = "text", value.encode("utf-8")
    elif type(value) is list:
        stored_input = _turns(value)
        if stored_input is None:
            return None
        input_kind = "chat"
    else:
        return None

    value = data["output"]
    if value is None:
        output = None
    elif type(value) is str and len(value) <= MAX_FIELD_CHARS:
        output = value.encode("utf-8")
    else:
        return None

    value = data.get("context")
    context: bytes | None
    if value is None:
        context = None
    elif type(value) is str:
        if len(value) > MAX_FIELD_CHARS:
            return None
        context = b'[{"source":null,"text":"' + _quoted(value) + b'","title":null}]'
    elif type(value) is list:
        context = _documents(value)
        if context == b"":
            return None
        if context == b"[]":
            context = None
    else:
        return None

    value = data.get("expected")
    if value is None:
        expected = None
    elif type(value) is str:
        if len(value) > MAX_FIELD_CHARS:
            return None
        expected = value.encode("utf-8")
    elif isinstance(value, str):
        return None
    else:
        expected = dumps(value).encode("utf-8")

    value = data.get("slices", _MISSING)
    if value is _MISSING:
        slices = "{}"
    elif type(value) is dict:
        found = _slices(value)
        if found is None:
            return None
        slices = found
    else:
        return None

    return case_id, input_kind, stored_input, context, output, expected, slices, dumps(meta)


_OTHER_CONTROLS = bytes(c for c in range(32) if c not in b"\b\t\n\f\r")
"""Control characters that JSON writes as ``\\u00XX``."""


def _quoted(text: str) -> bytes:
    """``json.dumps(text, ensure_ascii=False)`` as UTF-8 bytes, without the quotes.

    The C escaper costs about 4-7 ns a character here; escaping the UTF-8 bytes with
    ``bytes.replace`` (no byte of a multi-byte UTF-8 sequence is below 0x80) costs about half,
    and nothing when there is nothing to escape. Texts with other control characters, which
    become ``\\u00XX``, take the escaper.
    """
    raw = text.encode("utf-8")
    if len(raw.translate(None, _OTHER_CONTROLS)) != len(raw):
        return _ENC(text)[1:-1].encode("utf-8")
    return (
        raw.replace(b"\\", b"\\\\")
        .replace(b'"', b'\\"')
        .replace(b"\n", b"\\n")
        .replace(b"\r", b"\\r")
        .replace(b"\t", b"\\t")
        .replace(b"\b", b"\\b")
        .replace(b"\f", b"\\f")
    )


def _turns(turns: list[Any]) -> bytes | None:
    """A chat transcript as stored (``[{"content":...,"role":...}]``), or None."""
    if len(turns) > MAX_FIELD_CHARS:
        return None
    parts = [b"["]
    for turn in turns:
        if type(turn) is not dict or len(turn) != 2:
            return None
        role = turn.get("role")
        content = turn.get("content")
        if type(role) is not str or type(content) is not str:
            return None
        if not 0 < len(role) <= 100 or len(content) > MAX_FIELD_CHARS:
            return None
        parts += (b'{"content":"', _quoted(content), b'","role":"', _quoted(role), b'"},')
    if len(parts) > 1:
        parts[-1] = parts[-1][:-1]
    parts.append(b"]")
    return b"".join(parts)


_DOC_KEYS = frozenset({"title", "text", "source"})


def _documents(docs: list[Any]) -> bytes:
    """A list of context documents as stored, or ``b""`` when the model must decide."""
    parts = [b"["]
    for doc in docs:
        if type(doc) is str:
            if len(doc) > MAX_FIELD_CHARS:
                return b""
            parts += (b'{"source":null,"text":"', _quoted(doc), b'","title":null},')
            continue
        if type(doc) is not dict or not doc.keys() <= _DOC_KEYS:
            return b""
        text = doc.get("text")
        if type(text) is not str or len(text) > MAX_FIELD_CHARS:
            return b""
        title = doc.get("title")
        source = doc.get("source")
        if source is None:
            parts.append(b'{"source":null,"text":"')
        elif type(source) is str and len(source) <= 10_000:
            parts += (b'{"source":"', _quoted(source), b'","text":"')
        else:
            return b""
        parts.append(_quoted(text))
        if title is None:
            parts.append(b'","title":null},')
        elif type(title) is str and len(title) <= 10_000:
            parts += (b'","title":"', _quoted(title), b'"},')
        else:
            return b""
    if len(parts) > 1:
        parts[-1] = parts[-1][:-1]
    parts.append(b"]")
    return b"".join(parts)


def _slices(value: dict[str, Any]) -> str | None:
    """Slices as stored (numbers and booleans as their JSON text), or None."""
    items = []
    for name, item in value.items():
        if isinstance(item, _SCALARS):
            item = json.dumps(item)
        elif type(item) is not str:
            return None
        if type(name) is not str or not name or len(name) > 200 or len(item) > 1_000:
            return None
        items.append((name, item))
    items.sort()
    return "{" + ",".join(_ENC(k) + ":" + _ENC(v) for k, v in items) + "}"
