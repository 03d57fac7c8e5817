"""Who is acting: the OS account always, and a display name that may be given on trust.

``$USER`` is not trusted (anyone can set it); the account comes from the OS. ``--reviewer`` or
``$LABELER_REVIEWER`` gives a display name for several people sharing one account.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Mapping
from typing import NamedTuple

REVIEWER_ENV = "LABELER_REVIEWER"


class Actor(NamedTuple):
    """The person acting on a store.

    A NamedTuple rather than a frozen dataclass: every command imports this module at start,
    and a dataclass costs about 1 ms to build (a NamedTuple 0.1 ms).
    """

    name: str
    """The name labels are recorded under: the display name if given, else the OS account."""
    account: str
    """The OS account running the process (from ``pwd``, never ``$USER``)."""
    on_trust: bool
    """True when ``name`` was given by the user rather than taken from the OS."""
    token_id: int | None = None
    """The ``labeler serve`` login token that proved ``name`` (then ``on_trust`` is False);
    every event this actor writes records it (see :func:`labeler.store.events.record_event`)."""


def os_account() -> str:
    """The OS account name of this process, or ``uid<N>`` when the uid has no passwd entry."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid{uid}"


def resolve_actor(reviewer: str | None, environ: Mapping[str, str] | None = None) -> Actor:
    """Build the actor from ``--reviewer`` (first) or ``$LABELER_REVIEWER``.

    Raises ValueError for an empty or blank name, or one with control characters.
    """
    env = os.environ if environ is None else environ
    account = os_account()
    given = reviewer if reviewer is not None else env.get(REVIEWER_ENV)
    if given is None:
        return Actor(name=account, account=account, on_trust=False)
    name = given.strip()
    if not name:
        raise ValueError("the reviewer name is empty: give a name, e.g. --reviewer alice")
    if any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in name):
        raise ValueError("the reviewer name contains control characters")
    if len(name) > 64:
        raise ValueError("the reviewer name is longer than 64 characters")
    return Actor(name=name, account=account, on_trust=name != account)
