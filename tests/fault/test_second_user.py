"""Fault suite, point 5: a second Unix user on the same store.

Two throwaway accounts (``lbfault1``, ``lbfault2``, both in the group ``lbfault``) run the
installed ``labeler`` from a venv they can execute (see :mod:`users`):

* a store made with ``init --shared`` in a folder set up for the group: both label, and each
  label carries the account that gave it;
* without ``--shared``: the other user's write fails with exit 1 and the exact fix (``chgrp``
  and a setgid folder when they are not in the file's group, ``chmod`` when they are), and the
  fix, run as printed, works;
* a store they may only read (root's, 0644 in a 0755 folder; with and without ``-wal`` and
  ``-shm`` files): ``stats``, ``info``, ``export`` and ``log`` work, ``review`` says it cannot
  write and how to fix it.

Needs root (useradd, runuser); skipped with the reason otherwise. CI runs as root.
"""

from __future__ import annotations

import csv
import grp
import os
import pwd
import re
import shutil
import signal
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tmpfs import write_cases
from tmux_terminal import TMUX, TmuxTerminal, shown_case, status_line
from users import (
    FIRST,
    GROUP,
    ROOT_LABELER,
    SECOND,
    Ran,
    as_user,
    ensure_users,
    holding_open,
    needs_root,
    query,
    run,
    run_on_terminal,
    user_env,
    user_venv,
    world_folder,
)


@pytest.fixture(scope="session")
def user_labeler() -> Path:
    """The labeler the throwaway users run (the users are made first if missing);
    ``LABELER_USER_BIN`` names another one they can run."""
    needs_root()
    ensure_users()
    given = os.environ.get("LABELER_USER_BIN")
    return Path(given) if given else user_venv()


@pytest.fixture
def world(user_labeler: Path) -> Iterator[Path]:
    """A folder every user may enter, with a home folder for each throwaway user."""
    folder = world_folder("labeler-fault-users-")
    for user in (FIRST, SECOND):
        home = folder / f"home-{user}"
        home.mkdir()
        shutil.chown(home, user, user)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class As:
    """Run the users' labeler as one user, in the world folder."""

    def __init__(self, user: str, labeler: Path, world: Path) -> None:
        self.user = user
        self.labeler = labeler
        self.world = world
        self.home = world / f"home-{user}"

    def argv(self, *args: str | Path) -> list[str]:
        return as_user(self.user, self.home, [self.labeler, *args])

    def __call__(self, *args: str | Path) -> Ran:
        return run(self.argv(*args), cwd=self.world)

    def on_terminal(self, *args: str | Path) -> Ran:
        return run_on_terminal(self.argv(*args), cwd=self.world)

    def sh(self, command: str) -> Ran:
        return run(as_user(self.user, self.home, ["sh", "-c", command]), cwd=self.world)


@pytest.fixture
def first(user_labeler: Path, world: Path) -> As:
    return As(FIRST, user_labeler, world)


@pytest.fixture
def second(user_labeler: Path, world: Path) -> As:
    return As(SECOND, user_labeler, world)


def root(*args: str | Path, cwd: Path) -> Ran:
    return run([ROOT_LABELER, *args], cwd=cwd)


def ok(ran: Ran) -> Ran:
    assert ran.returncode == 0, ran.describe()
    assert not ran.traceback, ran.describe()
    return ran


def cases_file(world: Path, count: int = 12) -> Path:
    path = write_cases(world / "cases.jsonl", count, prefix="u")
    path.chmod(0o644)
    return path


def label_file(world: Path, name: str, reviewer: str, case_ids: list[str], bucket: str) -> Path:
    path = world / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["case_id", "reviewer", "bucket"])
        for case_id in case_ids:
            writer.writerow([case_id, reviewer, bucket])
    path.chmod(0o644)
    return path


def group_folder(world: Path, name: str, owner: str = "root") -> Path:
    """A folder set up for the reviewers' group: group GROUP, g+rwxs (setgid)."""
    folder = world / name
    folder.mkdir()
    shutil.chown(folder, owner, GROUP)
    folder.chmod(0o2775)
    return folder


def labels_by_account(store: Path) -> set[tuple[str, str, str]]:
    rows = query(
        store,
        "SELECT c.case_id, l.reviewer, l.account FROM labels l JOIN cases c ON c.seq = l.case_seq",
    )
    return {(str(a), str(b), str(c)) for a, b, c in rows}


# -- (a) a shared store ---------------------------------------------------------------------


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed (CI installs it)")
def test_shared_store_both_users_label_and_each_account_is_recorded(
    world: Path, first: As, second: As
) -> None:
    team = group_folder(world, "team")
    store = team / "failures.db"
    ok(first("init", store, "--shared"))
    ok(first("import", store, cases_file(world)))

    terminal = TmuxTerminal.on_new_server(world, "labeler-fault", timeout=30)
    try:
        # lbfault2 reviews in a terminal while lbfault1 imports labels from a spreadsheet.
        terminal.start(
            as_user(SECOND, second.home, [second.labeler, "review", store, "--order", "import"])
        )
        terminal.wait_for(lambda t: shown_case(t) == "u-0000" and "q Quit" in t, "the first case")

        def showing(case_id: str) -> Callable[[str], bool]:
            return lambda t: shown_case(t) == case_id

        for key, after in (("1", "u-0001"), ("2", "u-0002")):
            terminal.keys(key)
            terminal.wait_for(showing(after), f"case {after}")
        spreadsheet = label_file(world, "a.csv", FIRST, ["u-0000", "u-0001", "u-0005"], "other")
        ok(first("import-labels", store, spreadsheet))
        terminal.keys("3")
        terminal.wait_for(lambda t: status_line(t).startswith("saved"), "the third label saved")
        terminal.keys("q")
        assert terminal.exit_status() == "0", terminal.screen()
        assert "Traceback" not in terminal.screen()
    finally:
        terminal.kill()

    assert labels_by_account(store) == {
        ("u-0000", SECOND, SECOND),
        ("u-0001", SECOND, SECOND),
        ("u-0002", SECOND, SECOND),
        ("u-0000", FIRST, FIRST),
        ("u-0001", FIRST, FIRST),
        ("u-0005", FIRST, FIRST),
    }
    events = query(
        store, "SELECT actor, account, count(*) FROM events WHERE kind LIKE 'label%' GROUP BY 1, 2"
    )
    assert sorted(events) == [(FIRST, FIRST, 3), (SECOND, SECOND, 3)]
    # Every file SQLite made in the folder kept the group, writable by it.
    for path in team.iterdir():
        assert path.stat().st_gid == grp.getgrnam(GROUP).gr_gid, path
        assert path.stat().st_mode & stat.S_IWGRP, path
    ok(second("check", store))


# -- (b) not shared: the fix is printed, and it works ---------------------------------------


def printed_commands(message: str) -> list[str]:
    """The shell commands a message gives in backquotes (labeler's own hints left out)."""
    return [c for c in re.findall(r"`([^`]+)`", message) if not c.startswith("labeler ")]


def run_fix(who: As | None, commands: list[str], cwd: Path) -> None:
    """Run the printed fix; a -wal or -shm file it names may not exist (no one has the store
    open), which is the only failure allowed."""
    for command in commands:
        argv = ["sh", "-c", command]
        ran = run(argv, cwd=cwd) if who is None else who.sh(command)
        problems = [
            line
            for line in ran.stderr.splitlines()
            if not re.search(r"-(wal|shm)'?: No such file or directory", line)
        ]
        assert not problems, ran.describe()


def test_without_shared_a_user_outside_the_group_is_told_to_chgrp_into_a_setgid_folder(
    world: Path, second: As
) -> None:
    """root made the store (group root, 0644) in a plain folder: lbfault2 is not in group root,
    so joining it is not the fix; moving the store into a shared group is."""
    plain = world / "plain"
    plain.mkdir()
    store = plain / "failures.db"
    ok(root("init", store, cwd=world))
    ok(root("import", store, cases_file(world), cwd=world))
    labels = label_file(world, "b.csv", SECOND, ["u-0003"], "other")

    ran = second("import-labels", store, labels)

    assert ran.returncode == 1, ran.describe()
    assert not ran.traceback, ran.describe()
    message = ran.stderr
    assert "cannot write" in message and "failures.db" in message, message
    assert "chgrp" in message and "g+rwxs" in message and "setgid" in message, message
    assert "You are not in group root" in message, message
    assert not re.search(r"\b(join|add you to|be added to)\b", message), message
    assert labels_by_account(store) == set()

    commands = printed_commands(message)
    assert any(c.startswith("chgrp ") for c in commands), commands
    run_fix(None, [c.replace("REVIEWERS", GROUP) for c in commands], cwd=world)
    ok(second("import-labels", store, labels))
    assert labels_by_account(store) == {("u-0003", SECOND, SECOND)}


def test_without_shared_a_user_in_the_group_is_told_to_chmod(
    world: Path, first: As, second: As
) -> None:
    """lbfault1 made the store without --shared in the team's setgid folder: the store is in
    the group lbfault2 is in, but not group-writable."""
    team = group_folder(world, "team", owner=FIRST)
    store = team / "failures.db"
    ok(first("init", store))
    ok(first("import", store, cases_file(world)))
    labels = label_file(world, "b.csv", SECOND, ["u-0004"], "other")

    ran = second("import-labels", store, labels)

    assert ran.returncode == 1, ran.describe()
    assert not ran.traceback, ran.describe()
    message = ran.stderr
    assert f"ask {FIRST} (or root) to run" in message and "chmod g+rw" in message, message
    assert "chgrp" not in message, message
    run_fix(first, printed_commands(message), cwd=world)
    ok(second("import-labels", store, labels))
    assert labels_by_account(store) == {("u-0004", SECOND, SECOND)}


# -- (c) a store the user may only read -----------------------------------------------------


@pytest.mark.parametrize("wal_files", ["none", "live-writer", "left-by-a-killed-writer"])
def test_a_read_only_store_can_be_read_and_review_says_it_cannot_write(
    world: Path, second: As, wal_files: str
) -> None:
    folder = world / "readonly"
    folder.mkdir()
    store = folder / "failures.db"
    ok(root("init", store, cwd=world))
    ok(root("import", store, cases_file(world), cwd=world))
    labels = label_file(world, "r.csv", "rooty", ["u-0000", "u-0001", "u-0002"], "other")
    out = world / "out"
    out.mkdir()
    shutil.chown(out, SECOND, SECOND)

    def read_everything() -> None:
        info = ok(second("info", store))
        assert re.search(r"labels\s+3\b", info.stdout), info.stdout
        stats = ok(second("stats", store))
        assert "labels 3" in stats.stdout, stats.stdout
        log = ok(second("log", store, "--kind", "label"))
        lines = log.stdout.splitlines()
        assert len(lines) == 3 and all("rooty" in line for line in lines), log.stdout
        ok(second("export", store, out / f"{wal_files}.csv", "--what", "labels"))
        with (out / f"{wal_files}.csv").open(encoding="utf-8", newline="") as f:
            assert sorted(r["case_id"] for r in csv.DictReader(f)) == ["u-0000", "u-0001", "u-0002"]
        review = second.on_terminal("review", store)
        assert review.returncode == 1, review.describe()
        assert not review.traceback, review.describe()
        assert "cannot write" in review.stderr and "failures.db" in review.stderr, review.stderr
        assert "Fix:" in review.stderr and "chmod" in review.stderr, review.stderr

    if wal_files == "none":
        ok(root("import-labels", store, labels, cwd=world))
        assert sorted(p.name for p in folder.iterdir()) == ["failures.db"]
        read_everything()
    else:
        with holding_open(store) as holder:
            # The labels are in -wal only: the holder keeps it from being folded in.
            ok(root("import-labels", store, labels, cwd=world))
            if wal_files == "live-writer":
                read_everything()
            else:
                os.kill(holder.pid, signal.SIGKILL)
                holder.wait()
        names = sorted(p.name for p in folder.iterdir())
        assert names == ["failures.db", "failures.db-shm", "failures.db-wal"], names
        if wal_files == "left-by-a-killed-writer":
            read_everything()

    # Reading changed nothing the user should not have changed.
    for path in folder.iterdir():
        st = path.stat()
        assert (pwd.getpwuid(st.st_uid).pw_name, stat.S_IMODE(st.st_mode)) == ("root", 0o644)
    ok(root("check", store, cwd=world))
    assert len(labels_by_account(store)) == 3


def test_the_users_environment_is_their_own(second: As) -> None:
    """The commands above really run as lbfault2 (not as root with another name)."""
    ran = second.sh("id -un; echo $HOME")
    assert ran.stdout.split() == [SECOND, str(second.home)], ran.describe()
    assert user_env(SECOND, second.home)["USER"] == SECOND
