"""Fault suite, point 4: a full disk, on a small tmpfs mounted for each test.

Every test drives the installed ``labeler`` in real processes. A full disk must never cost a
label (the review screen keeps it pending and saves it when space comes back, with its event),
never show a traceback, and never leave anything partial: no half store, no half export or
backup under the final name, no temporary file.

Needs root (to mount the tmpfs); skipped with the reason otherwise. CI runs as root.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tmpfs import SmallDisk, small_disk, write_cases
from tmux_terminal import TMUX, TmuxTerminal, shown_case, status_line
from users import Ran, query, run

LABELER = Path(os.environ.get("LABELER_BIN") or Path(sys.executable).parent / "labeler")
MIB = 1 << 20
DISK_SIZE = 8 * MIB


def labeler(*args: str | Path, cwd: Path | None = None) -> Ran:
    return run([LABELER, *args], cwd=cwd)


def assert_clean_failure(ran: Ran, disk: SmallDisk) -> None:
    """Exit 1, no traceback, and a message that says the disk is full and names it."""
    assert ran.returncode == 1, ran.describe()
    assert not ran.traceback, ran.describe()
    assert "full" in ran.stderr, ran.describe()
    assert str(disk.path) in ran.stderr, ran.describe()
    assert ran.stderr.startswith("Error: "), ran.describe()


def case_count(store: Path) -> int:
    (count,) = query(store, "SELECT count(*) FROM cases WHERE is_current = 1")[0]
    assert isinstance(count, int)
    return count


def assert_check_passes(store: Path) -> None:
    ran = labeler("check", store)
    assert ran.returncode == 0 and ran.stdout.strip() == "ok", ran.describe()


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[SmallDisk]:
    """An 8 MiB tmpfs of its own, unmounted after the test."""
    with small_disk(tmp_path / "disk", DISK_SIZE) as mounted:
        yield mounted


@pytest.fixture
def disk_store(disk: SmallDisk, tmp_path: Path) -> Path:
    """A store on the small disk with 20 short cases (nothing open on it)."""
    store = disk.path / "store.db"
    cases = write_cases(tmp_path / "small.jsonl", 20, prefix="s")
    ran = labeler("import", store, cases)
    assert ran.returncode == 0, ran.describe()
    return store


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store on the ordinary disk whose backup (~4 MB) and export (~2.5 MB) do not fit in
    what the small disk has left."""
    folder = tmp_path_factory.mktemp("big")
    cases = write_cases(folder / "big.jsonl", 300, prefix="b", text=4000, meta=8000)
    ran = labeler("import", folder / "big.db", cases)
    assert ran.returncode == 0, ran.describe()
    return folder / "big.db"


# -- (a) the review screen ------------------------------------------------------------------


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)")
def test_review_keeps_labels_pending_on_a_full_disk_and_saves_them_when_space_returns(
    disk: SmallDisk, disk_store: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "screen"
    folder.mkdir()
    terminal = TmuxTerminal.on_new_server(folder, "labeler-fault", timeout=30)
    try:
        terminal.start(
            [LABELER, "review", disk_store, "--reviewer", "alice", "--order", "import"],
            env={"HOME": str(folder), "TERM": "xterm-256color", "LANG": "C.UTF-8"},
        )
        first = terminal.wait_for(lambda t: shown_case(t) == "s-0000" and "q Quit" in t, "case 1")
        assert "Traceback" not in first
        terminal.keys("1")  # one label while there is room: the writer is up, the WAL in use
        terminal.wait_for(lambda t: status_line(t).startswith("saved"), "the first label saved")
        assert query(disk_store, "SELECT count(*) FROM labels")[0][0] == 1

        disk.fill(0)

        def showing(case_id: str) -> Callable[[str], bool]:
            return lambda t: shown_case(t) == case_id

        for key, next_case in (("2", "s-0002"), ("3", "s-0003"), ("4", "s-0004")):
            terminal.keys(key)
            terminal.wait_for(showing(next_case), f"case {next_case}")
        # "3 label(s) not saved yet, retrying: the disk holding STORE is full (...)", cut at
        # the terminal's width (a long STORE path hides the word "full").
        full = terminal.wait_for(
            lambda t: "not saved" in status_line(t) and "the disk holding" in status_line(t),
            "the screen to say the labels are not saved because the disk is full",
        )
        assert "Traceback" not in full
        assert query(disk_store, "SELECT count(*) FROM labels")[0][0] == 1
        assert disk.free() == 0

        disk.make_room()
        # "saved: label (2 still saving)" after the first one lands; "saved: label" after all.
        terminal.wait_for(
            lambda t: status_line(t).startswith("saved") and "still" not in status_line(t),
            "every pending label saved",
            timeout=20,
        )
        labels = query(
            disk_store,
            "SELECT c.case_id, b.shortcut, l.reviewer FROM labels l "
            "JOIN cases c ON c.seq = l.case_seq JOIN buckets b ON b.key = l.bucket "
            "ORDER BY c.case_id",
        )
        assert labels == [
            ("s-0000", "1", "alice"),
            ("s-0001", "2", "alice"),
            ("s-0002", "3", "alice"),
            ("s-0003", "4", "alice"),
        ]
        events = query(
            disk_store,
            "SELECT case_id, kind, actor FROM events WHERE kind LIKE 'label%' ORDER BY id",
        )
        assert events == [(f"s-000{n}", "label.create", "alice") for n in range(4)]

        terminal.keys("q")
        assert terminal.exit_status() == "0", terminal.screen()
        assert "Traceback" not in terminal.screen()
    finally:
        terminal.kill()
    assert_check_passes(disk_store)


# -- (b) import -----------------------------------------------------------------------------


@pytest.mark.parametrize("fails_in", ["spool", "store"])
def test_import_that_does_not_fit_fails_cleanly_and_leaves_nothing(
    disk: SmallDisk, disk_store: Path, tmp_path: Path, fails_in: str
) -> None:
    """The import keeps its checked records in a temporary file beside the store, then writes
    them in one transaction: the disk can fill up in either phase."""
    big = write_cases(tmp_path / "big.jsonl", 300, prefix="b", text=12_000)
    before = disk.listing()
    # About 1 MB free: the temporary file cannot hold the records. The file's size plus 1 MB:
    # it can, and the store's write then fills the disk.
    disk.fill(MIB if fails_in == "spool" else big.stat().st_size + MIB)

    ran = labeler("import", disk_store, big)

    assert_clean_failure(ran, disk)
    if fails_in == "spool":
        assert "temporary file" in ran.stderr, ran.describe()
    else:
        assert str(disk_store) in ran.stderr, ran.describe()
    assert "Nothing was written to the store" in ran.stderr or "unchanged" in ran.stderr
    # (listed before this test reads the store: a read-only connection leaves -wal and -shm)
    assert disk.listing() == before | {"filler"}
    assert case_count(disk_store) == 20

    disk.make_room()  # nothing stale is in the way once space is back
    again = labeler("import", disk_store, big)
    assert again.returncode == 0, again.describe()
    assert case_count(disk_store) == 320
    assert_check_passes(disk_store)


def test_import_into_a_new_store_that_does_not_fit_leaves_no_store(
    disk: SmallDisk, tmp_path: Path
) -> None:
    big = write_cases(tmp_path / "big.jsonl", 300, prefix="b", text=12_000)
    disk.fill(MIB)

    ran = labeler("import", disk.path / "new.db", big)

    assert_clean_failure(ran, disk)
    assert disk.listing() == {"filler"}


# -- (c) backup -----------------------------------------------------------------------------


@pytest.mark.parametrize("leave", [0, MIB], ids=["no-space", "1MiB-left"])
def test_backup_to_a_full_disk_fails_cleanly_and_leaves_nothing(
    disk: SmallDisk, big_store: Path, leave: int
) -> None:
    disk.fill(leave)
    dest = disk.path / "copy.db"

    ran = labeler("backup", big_store, dest)

    assert_clean_failure(ran, disk)
    assert disk.listing() == {"filler"}

    disk.make_room()
    again = labeler("backup", big_store, dest)
    assert again.returncode == 0, again.describe()
    assert case_count(dest) == case_count(big_store) == 300
    assert_check_passes(dest)


# -- (d) export -----------------------------------------------------------------------------


EXPORTS = {
    "csv": ("out.csv", []),
    "jsonl": ("out.jsonl", []),
    "force-over-old-file": ("out.csv", ["--force"]),
    "split-new-folder": ("out", ["--split-by-bucket"]),
    "split-into-empty-folder": ("out", ["--split-by-bucket"]),
}


@pytest.mark.parametrize("variant", list(EXPORTS))
def test_export_to_a_full_disk_leaves_nothing_half_written(
    disk: SmallDisk, big_store: Path, variant: str
) -> None:
    name, options = EXPORTS[variant]
    out = disk.path / name
    if variant == "force-over-old-file":
        out.write_text("the old export\n", encoding="utf-8")
    if variant == "split-into-empty-folder":
        out.mkdir()
    before = disk.listing()
    disk.fill(512 * 1024)

    ran = labeler("export", big_store, out, *options)

    assert_clean_failure(ran, disk)
    assert disk.listing() == before | {"filler"}
    if variant == "force-over-old-file":
        assert out.read_text(encoding="utf-8") == "the old export\n"

    disk.make_room()
    again = labeler("export", big_store, out, *options, "--force")
    assert again.returncode == 0, again.describe()
    assert "wrote 300 rows" in again.stderr, again.describe()


# -- (e) init -------------------------------------------------------------------------------


def test_init_on_a_full_disk_fails_cleanly_and_leaves_nothing(disk: SmallDisk) -> None:
    disk.fill(0)
    store = disk.path / "new.db"

    ran = labeler("init", store)

    assert_clean_failure(ran, disk)
    assert disk.listing() == {"filler"}
    disk.make_room()
    again = labeler("init", store)
    assert again.returncode == 0, again.describe()
    assert_check_passes(store)


def test_init_with_too_little_space_never_leaves_a_store_behind(disk: SmallDisk) -> None:
    """Every amount of free space from none up to enough: init makes a store or leaves
    nothing (8 KB steps, a fresh filler each time)."""
    store = disk.path / "new.db"
    for leave in range(0, 400 * 1024, 8 * 1024):
        disk.make_room()
        disk.fill(leave)
        ran = labeler("init", store)
        if ran.returncode == 0:
            disk.make_room()
            assert_check_passes(store)
            return
        assert_clean_failure(ran, disk)
        assert disk.listing() == {"filler"}, f"{leave // 1024} KB free: {ran.stderr}"
    raise AssertionError("init never succeeded with up to 400 KB free")
