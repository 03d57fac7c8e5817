"""Run the installed ``labeler`` command with one of its streams on a pseudo-terminal."""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Literal


def installed_labeler() -> str:
    """The ``labeler`` console script installed beside this Python."""
    labeler = shutil.which("labeler", path=str(Path(sys.executable).parent))
    assert labeler is not None, "the labeler command is not installed beside this Python"
    return labeler


def run_on_terminal(
    args: list[str],
    stream: Literal["stdout", "stderr"],
    env: dict[str, str] | None = None,
) -> tuple[int, str]:
    """Run ``labeler ARGS`` with ``stream`` on a pseudo-terminal (the other one piped); return
    the exit status and what reached the terminal, with CRLF turned back into LF."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [installed_labeler(), *args],
            stdin=subprocess.DEVNULL,
            stdout=follower if stream == "stdout" else subprocess.PIPE,
            stderr=follower if stream == "stderr" else subprocess.PIPE,
            env={**os.environ, **(env or {})},
            timeout=60,
            check=False,
        )
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the other side is closed and everything was read
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    return done.returncode, b"".join(chunks).decode().replace("\r\n", "\n")
