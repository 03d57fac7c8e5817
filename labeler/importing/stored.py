"""A validated record as the store keeps it, with its content hash computed once.

:meth:`CaseRecord.content_hash` builds every stored text (``stored_input``, ``stored_context``,
``stored_expected``) and then serialises them again; calling it and then the ``stored_*``
methods serialises the context twice. Here the stored texts are built once and hashed with the
*same* function, :func:`labeler.models.hash_stored_parts` (``tests/test_import_stored.py``
checks that both hashes agree on many kinds of records, so a change to the model's formula
cannot go unnoticed).

Hashing is also where lone surrogates are caught for free: each stored text is encoded as UTF-8
for the hash, which fails on a lone surrogate (SQLite would refuse it too).
"""

from __future__ import annotations

from dataclasses import dataclass

from labeler.models import CaseRecord, dumps, hash_stored_parts


@dataclass(frozen=True, slots=True)
class StoredCase:
    """The values written to ``cases`` and ``case_texts`` for one record."""

    case_id: str
    content_hash: str
    input_kind: str
    input: str
    context: str | None
    output: str | None
    expected: str | None
    slices: str
    """The slices as compact JSON with sorted keys."""
    meta: str
    """The metadata as compact JSON with sorted keys."""


def stored_case(record: CaseRecord) -> StoredCase:
    """Build the stored values of ``record`` and its content hash.

    Raises UnicodeEncodeError when a stored text holds a lone surrogate (SQLite would refuse
    it), and RecursionError for metadata nested too deeply to serialise.
    """
    stored_input = record.stored_input()
    input_kind = record.input_kind()
    context = record.stored_context()
    expected = record.stored_expected()
    slices = dumps(record.slices)
    meta = dumps(record.meta)
    digest = hash_stored_parts(
        [input_kind, stored_input, context, record.output, expected, slices, meta]
    )
    if record.id is not None:
        record.id.encode("utf-8")  # a lone surrogate in the id: raise like the texts do
        case_id = record.id
    else:
        case_id = f"h-{digest[:16]}"
    return StoredCase(
        case_id=case_id,
        content_hash=digest,
        input_kind=input_kind,
        input=stored_input,
        context=context,
        output=record.output,
        expected=expected,
        slices=slices,
        meta=meta,
    )
