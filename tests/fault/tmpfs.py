"""A small disk for the fault suite: a tmpfs mounted on a temporary folder, filled on demand.

``SmallDisk.fill(leave)`` adds a filler file that leaves ``leave`` bytes free (0: the disk is
full to the last byte); ``make_room()`` deletes it, as a user freeing space would. Mounting needs
root: without it (or when the mount fails) the tests skip and say why; CI runs as root.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

FILLER = "filler"
BLOCK = 4096


class SmallDisk:
    """A tmpfs of ``size`` bytes mounted at ``path``."""

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = size
        self.filler = path / FILLER

    def free(self) -> int:
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize

    def fill(self, leave: int = 0) -> None:
        """Add to the filler until only ``leave`` bytes are free (rounded down to a block)."""
        want = self.free() - leave
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            if want > 0:
                with contextlib.suppress(OSError):
                    os.posix_fallocate(fd, os.fstat(fd).st_size, want // BLOCK * BLOCK)
            if leave == 0:
                block = b"\0" * BLOCK
                while True:  # the last blocks, whatever fallocate left
                    try:
                        if os.write(fd, block) == 0:
                            break
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)
        if leave == 0:
            assert self.free() == 0, f"the disk still has {self.free()} bytes free"
        else:
            assert abs(self.free() - leave) <= 2 * BLOCK, (self.free(), leave)

    def make_room(self) -> None:
        """Delete the filler: the space comes back."""
        self.filler.unlink(missing_ok=True)

    def listing(self) -> set[str]:
        """Every name on the disk (hidden ones too), below the top folder as well."""
        return {str(p.relative_to(self.path)) for p in self.path.rglob("*")}


def mount(path: Path, size: int) -> SmallDisk:
    """Mount a tmpfs of ``size`` bytes at ``path``; skip the test if that cannot be done."""
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (CI runs as root)")
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    return SmallDisk(path, size)


def unmount(disk: SmallDisk) -> None:
    """Unmount (lazily: a process that still has a file open keeps it until it ends)."""
    subprocess.run(["umount", "-l", str(disk.path)], capture_output=True, check=False)


@contextlib.contextmanager
def small_disk(path: Path, size: int) -> Iterator[SmallDisk]:
    disk = mount(path, size)
    try:
        yield disk
    finally:
        unmount(disk)


def write_cases(path: Path, count: int, *, prefix: str, text: int = 0, meta: int = 0) -> Path:
    """``count`` cases as JSON lines, each with about ``text`` characters of texts and a
    ``meta.blob`` of ``meta`` characters (exported as a column)."""
    with path.open("w", encoding="utf-8") as f:
        for n in range(count):
            record: dict[str, object] = {
                "id": f"{prefix}-{n:04d}",
                "input": f"question {n} " + "q" * text,
                "output": f"answer {n}",
                "slices": {"length": "long" if n % 2 else "short"},
            }
            if meta:
                record["meta"] = {"blob": f"{n}" + "m" * meta}
            f.write(json.dumps(record) + "\n")
    return path
