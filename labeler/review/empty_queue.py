"""Why a reviewer's queue is empty, in words with the option to try.

For ``labeler review`` (said before the screen opens) and for the review screen's empty state
(:func:`empty_queue_reason` is the one function both call). Part of the pure core.
"""

from __future__ import annotations

from labeler.review.queue import QueueSpec, first_page
from labeler.store import queue as queue_sql
from labeler.store.connection import Store


def empty_queue_reason(store: Store, spec: QueueSpec) -> str | None:
    """Why the queue is empty, in words with the option to try; None when it is not empty.

    For the review command (before the screen opens) and the review screen's empty state.
    """
    if first_page(store, spec, 1):
        return None
    where = "" if not spec.slices else " in " + ", ".join(f"{k}={v}" for k, v in spec.slices)
    cases = queue_sql.current_case_count(store, spec.slices)
    if cases == 0:
        if not spec.slices:
            return "the store has no cases yet: load some with `labeler import STORE FILE`"
        return f"no case{where}: the slices match no case together (`labeler stats --by NAME`)"
    if spec.revisit:
        return f"you have labeled no case{where} yet: leave out --revisit to label"
    mine = queue_sql.labeled_count(store, spec.reviewer, spec.slices)
    full = cases - mine
    return (
        f"every case{where} has its overlap: you labeled {mine}, and {full} have "
        f"{spec.overlap} label{'s' if spec.overlap != 1 else ''} from others. Try "
        f"--overlap {spec.overlap + 1} to add your label to theirs, or --revisit to walk your "
        "own labels"
    )
