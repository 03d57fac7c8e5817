"""Writing resolutions: the final bucket of a disagreement, who decided, and how.

A resolution is its own record: writing, changing or undoing one never touches a reviewer's
label. Every write is a short ``BEGIN IMMEDIATE`` transaction with a version check
(compare-and-swap), as for labels: the caller names the version of the resolution it last saw
(``None`` for "not resolved yet"). If another resolver (or another window) wrote the case
meanwhile, :class:`~labeler.store.errors.VersionConflict` is raised naming who did it, and
nothing is written. Every change is one event: ``resolution.create``, ``resolution.change``,
``resolution.reason``, ``resolution.delete`` or ``resolution.undo``, with before and after.

Methods (reviewers are lettered A, B, C... by name, see
:func:`labeler.resolve.disagreements.case_labels`):

* ``took_a`` / ``took_b``: the bucket of reviewer A / B;
* ``took_label``: the bucket of reviewer C, D, ...;
* ``other``: a bucket no reviewer gave;
* ``unclear``: no bucket; the case goes to the guideline owner (:func:`unclear_cases`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace

from labeler.clock import utc_now
from labeler.identity import Actor
from labeler.resolve.disagreements import ResolveSpec, ReviewerLabel
from labeler.store import resolutions as table
from labeler.store.connection import Store
from labeler.store.disagreements import read_case_labels
from labeler.store.errors import StoreError, VersionConflict
from labeler.store.events import record_event
from labeler.store.resolutions import (
    METHODS,
    Resolution,
    UnclearCase,
    get_resolution,
    open_writer,
    read_tally,
    unclear_cases,
)
from labeler.text.display import safe_inline

__all__ = [
    "METHODS",
    "OPEN",
    "InvalidResolution",
    "Resolution",
    "UnclearCase",
    "delete_resolution",
    "get_resolution",
    "method_for",
    "open_writer",
    "read_tally",
    "resolution_state",
    "resolve",
    "set_reason",
    "summary",
    "unclear_cases",
    "undo_resolution",
]


class InvalidResolution(StoreError):
    """A resolution that does not match the case's labels or the taxonomy; nothing written."""


def method_for(labels: Sequence[ReviewerLabel], bucket: str | None) -> str:
    """The method that picking ``bucket`` means for these labels (sorted as by case_labels).

    None is ``unclear``; the bucket of the first reviewer who gave it decides between
    ``took_a``, ``took_b`` and ``took_label``; a bucket nobody gave is ``other``.
    """
    if bucket is None:
        return "unclear"
    for index, label in enumerate(labels):
        if label.bucket == bucket:
            return ("took_a", "took_b")[index] if index < 2 else "took_label"
    return "other"


def _as_dict(res: Resolution | None) -> dict[str, object] | None:
    if res is None:
        return None
    return {
        "resolver": res.resolver,
        "bucket": res.bucket,
        "method": res.method,
        "reason": res.reason,
    }


def _check(
    conn: sqlite3.Connection,
    case_seq: int,
    current: Resolution | None,
    expected_version: int | None,
    case_id: str,
    actor: Actor,
) -> None:
    """Raise VersionConflict, naming who wrote last, unless the stored version is expected."""
    seen = None if current is None else current.version
    if seen == expected_version:
        return
    last = table.last_writer(conn, case_seq, case_id) or (
        current.resolver if current else "someone"
    )
    who = safe_inline(last, 64) + (" (in another window?)" if last == actor.name else "")
    case_id = safe_inline(case_id, 80)
    if current is None:
        raise VersionConflict(
            f"the resolution of case {case_id} was removed by {who} since this screen "
            "loaded it; the case is unresolved again"
        )
    decided = "unclear" if current.bucket is None else safe_inline(current.bucket, 64)
    by = safe_inline(current.resolver, 64)
    if last != current.resolver:
        by += f" (last changed by {who})"
    elif last == actor.name:
        by = who
    raise VersionConflict(
        f"case {case_id} was resolved as {decided} by {by} since this screen loaded it; "
        "that resolution was kept and is now shown"
    )


def _validate(
    conn: sqlite3.Connection, case_seq: int, case_id: str, bucket: str | None, method: str
) -> None:
    """Raise InvalidResolution unless ``method`` and ``bucket`` fit the taxonomy and labels."""
    case_id = safe_inline(case_id, 80)
    if method not in METHODS:
        raise InvalidResolution(
            f"unknown resolution method {method!r}; one of {', '.join(METHODS)}"
        )
    if (method == "unclear") != (bucket is None):
        raise InvalidResolution("an unclear resolution has no bucket; every other one has one")
    if bucket is None:
        return
    if not table.bucket_exists(conn, bucket):
        raise InvalidResolution(f"there is no bucket {bucket!r} in this store's taxonomy")
    labels = read_case_labels(conn, case_seq)
    given = [label.bucket for label in labels]
    if method == "other":
        if bucket in given:
            raise InvalidResolution(
                f"a reviewer of case {case_id} gave {bucket!r}: take their label instead of other"
            )
        return
    index = {"took_a": 0, "took_b": 1}.get(method)
    if index is not None:
        if index >= len(labels) or labels[index].bucket != bucket:
            letter = "AB"[index]
            now = labels[index].bucket if index < len(labels) else "no label"
            raise InvalidResolution(
                f"reviewer {letter} of case {case_id} gave {now}, not {bucket} "
                "(the labels changed since this screen loaded them?)"
            )
    elif bucket not in given[2:]:
        raise InvalidResolution(
            f"no reviewer C or later of case {case_id} gave {bucket} "
            "(the labels changed since this screen loaded them?)"
        )


def _open(
    conn: sqlite3.Connection, case_seq: int, actor: Actor, expected_version: int | None
) -> tuple[str, Resolution | None]:
    """The case id and the stored resolution, after the compare-and-swap check."""
    case_id = table.case_id_of(conn, case_seq)
    if case_id is None:
        raise StoreError(f"no case with internal number {case_seq}")
    current = table.read_resolution(conn, case_seq)
    _check(conn, case_seq, current, expected_version, case_id, actor)
    return case_id, current


def _commit(
    conn: sqlite3.Connection,
    actor: Actor,
    kind: str,
    case: tuple[int, str],
    current: Resolution | None,
    new: Resolution | None,
) -> None:
    """Write ``new`` over ``current`` (None deletes it) and log one event, before and after.

    ``case`` is the case's internal number and its id.
    """
    seq, case_id = case
    if new is None:
        table.remove_resolution(conn, seq)
    else:
        table.write_resolution(conn, new)
    record_event(
        conn,
        actor,
        kind,
        case_seq=seq,
        case_id=case_id,
        before=_as_dict(current),
        after=_as_dict(new),
    )


def resolve(
    store: Store,
    case_seq: int,
    actor: Actor,
    *,
    bucket: str | None,
    method: str,
    reason: str | None,
    expected_version: int | None,
) -> Resolution:
    """Create or change the case's resolution; returns the stored one.

    ``reason`` replaces the stored reason (pass the current one to keep it; "" is None).
    ``method`` must match the labels as they are now (see :func:`method_for`); otherwise
    :class:`InvalidResolution`. Writing the same bucket, method and reason again is a no-op that
    returns the stored resolution (no event). Raises VersionConflict if the stored version is
    not ``expected_version``.
    """
    reason = reason or None
    with store.write() as conn:
        case_id, current = _open(conn, case_seq, actor, expected_version)
        _validate(conn, case_seq, case_id, bucket, method)
        same = current is not None and (current.bucket, current.method) == (bucket, method)
        if current is not None and same and current.reason == reason:
            return current
        stored = Resolution(
            case_seq,
            bucket,
            method,
            actor.name,
            actor.account,
            reason,
            version=1 if current is None else current.version + 1,
            resolved_at=utc_now(),
        )
        kind = "resolution.create" if current is None else "resolution.change"
        _commit(conn, actor, kind, (case_seq, case_id), current, stored)
        return stored


def set_reason(
    store: Store, case_seq: int, actor: Actor, reason: str | None, *, expected_version: int
) -> Resolution:
    """Set (or clear, with None or "") the reason of an existing resolution (the ``n`` key).

    The resolver stays who decided; the event records who wrote the reason. Raises
    VersionConflict if the case is not resolved at ``expected_version``.
    """
    reason = reason or None
    with store.write() as conn:
        case_id, current = _open(conn, case_seq, actor, expected_version)
        assert current is not None  # the check passed with an int version
        if current.reason == reason:
            return current
        stored = replace(current, reason=reason, version=current.version + 1)
        _commit(conn, actor, "resolution.reason", (case_seq, case_id), current, stored)
        return stored


def delete_resolution(
    store: Store,
    case_seq: int,
    actor: Actor,
    *,
    expected_version: int,
    kind: str = "resolution.delete",
) -> None:
    """Remove the case's resolution (it goes back to the queue); logged with what was removed."""
    with store.write() as conn:
        case_id, current = _open(conn, case_seq, actor, expected_version)
        _commit(conn, actor, kind, (case_seq, case_id), current, None)


def undo_resolution(
    store: Store,
    case_seq: int,
    actor: Actor,
    previous: Resolution | None,
    expected_version: int | None,
) -> Resolution | None:
    """Undo: put back ``previous`` exactly (resolver and time included), or delete if None.

    ``expected_version`` is the version the undone write left (``Resolution.version``). The
    restored record gets a new version; the labels are not re-checked (it is what was there).
    Logged as ``resolution.undo``. Returns the stored resolution, or None.
    """
    with store.write() as conn:
        case_id, current = _open(conn, case_seq, actor, expected_version)
        if previous is None and current is None:
            return None
        stored = None
        if previous is not None:
            if previous.bucket is not None and not table.bucket_exists(conn, previous.bucket):
                raise InvalidResolution(
                    f"cannot restore {previous.bucket!r}: the bucket is no longer in the taxonomy"
                )
            version = 1 if current is None else current.version + 1
            stored = replace(previous, case_seq=case_seq, version=version)
        _commit(conn, actor, "resolution.undo", (case_seq, case_id), current, stored)
        return stored


def summary(store: Store, spec: ResolveSpec) -> dict[str, int]:
    """Resolutions by method over the disagreements in ``spec``, every method listed.

    Counts the same cases as :func:`labeler.resolve.disagreements.progress`, so the values add up to
    its ``resolved``.
    """
    counts = dict.fromkeys(METHODS, 0)
    counts.update(table.method_counts(store, spec))
    return counts


OPEN = "open"
"""The state of a disagreement without a resolution (see :func:`resolution_state`)."""


def resolution_state(store: Store, spec: ResolveSpec, case_seq: int) -> str | None:
    """The case's state now: :data:`OPEN`, the method of its resolution, or None if it is not a
    disagreement of ``spec`` (any more). Two primary-key lookups: cheap enough for every key."""
    found, method = table.disagreement_method(store, spec, case_seq)
    if not found:
        return None
    return OPEN if method is None else method
