"""Other Unix users for the fault suite: throwaway accounts, a labeler they can run, and commands
run as them with ``runuser``.

Every account made here (``lbfault1``, ``lbfault2``, both in the group ``lbfault``) is made only
when missing and never removed: nothing else of the system is touched. ``/work`` (and a
``/root/.pyenv`` Python) may be closed to other users, so the labeler they run lives in a venv
under a world-readable temporary folder, built from a copy of this checkout (non-editable) with
an interpreter the users can execute. The venv is cached by the hash of the sources it was built
from: a second session reuses it, a change to ``labeler/`` builds a new one (about a minute).

Nothing here imports ``labeler``: the tests drive the installed command as users run it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pty
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ROOT_LABELER = Path(os.environ.get("LABELER_BIN") or Path(sys.executable).parent / "labeler")
"""The command under test, run as root (the test's own user)."""
GROUP = "lbfault"
"""A group both throwaway users are in: the reviewers' group of a shared store."""
FIRST, SECOND = "lbfault1", "lbfault2"
VENV_PREFIX = "labeler-fault-venv-"
STALE_VENV_S = 6 * 3600
"""Cached venvs of older sources are removed once this old (another session may still use one)."""
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"


@dataclass(frozen=True)
class Ran:
    """One finished command."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (
            f"$ {shlex.join(self.argv)}\nexit {self.returncode}\n"
            f"stdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-3000:]}"
        )

    @property
    def traceback(self) -> bool:
        return "Traceback" in self.stdout or "Traceback" in self.stderr


def needs_root() -> None:
    """Skip (with the reason) unless this process may add users and switch to them."""
    if os.geteuid() != 0:
        pytest.skip("needs root (to add throwaway users and run commands as them); CI runs as root")
    for tool in ("runuser", "useradd", "groupadd"):
        if shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is None:
            pytest.skip(f"{tool} is not installed")


def _sbin(tool: str) -> str:
    found = shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    assert found is not None, f"{tool} is not installed"
    return found


def ensure_users() -> None:
    """Make the group and the two users if missing (a user-private group each, plus GROUP)."""
    import grp
    import pwd

    try:
        grp.getgrnam(GROUP)
    except KeyError:
        subprocess.run([_sbin("groupadd"), GROUP], check=False, capture_output=True)
        grp.getgrnam(GROUP)  # made now, or by a session running at the same time
    for user in (FIRST, SECOND):
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(
                [_sbin("useradd"), "--no-create-home", "--shell", "/usr/sbin/nologin",
                 "--user-group", "-G", GROUP, user],
                check=False,
                capture_output=True,
            )  # fmt: skip
            pwd.getpwnam(user)
        members = grp.getgrnam(GROUP).gr_mem
        if user not in members:
            subprocess.run([_sbin("usermod"), "-a", "-G", GROUP, user], check=True)


def world_folder(prefix: str) -> Path:
    """A new folder under the system's temporary folder that every user may enter and read."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


def _may_run(user: str, python: str) -> bool:
    try:
        done = subprocess.run(
            [_sbin("runuser"), "-u", user, "--", python, "-c",
             "import sys, venv; sys.exit(sys.version_info < (3, 11))"],
            capture_output=True,
            timeout=60,
            check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _base_python(user: str) -> str | None:
    """A Python 3.11+ that ``user`` may execute (with its standard library)."""
    candidates = [
        os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
        "/usr/bin/python3",
        "/usr/local/bin/python3",
        shutil.which("python3") or "",
    ]
    for python in dict.fromkeys(c for c in candidates if c and os.path.isfile(c)):
        if _may_run(user, python):
            return python
    return None


def _sources_key() -> str:
    """The hash of everything the installed package is built from."""
    digest = hashlib.sha256()
    files = [REPO / "pyproject.toml", REPO / "README.md"]
    files += sorted(
        p for p in (REPO / "labeler").rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    for path in files:
        digest.update(str(path.relative_to(REPO)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _copy_sources(into: Path) -> Path:
    source = into / "src"
    source.mkdir()
    shutil.copy2(REPO / "pyproject.toml", source)
    shutil.copy2(REPO / "README.md", source)
    shutil.copytree(
        REPO / "labeler", source / "labeler", ignore=shutil.ignore_patterns("__pycache__")
    )
    return source


def _drop_stale_venvs(parent: Path, keep: Path) -> None:
    for old in parent.glob(f"{VENV_PREFIX}*"):
        with contextlib.suppress(OSError):
            if old != keep and old.is_dir() and time.time() - old.stat().st_mtime > STALE_VENV_S:
                shutil.rmtree(old, ignore_errors=True)


def user_venv() -> Path:
    """The ``labeler`` command other users can run (a cached venv; built when missing).

    A venv's scripts name its own path, so it is built where it stays, under a lock; the file
    ``ready`` is written last, and a folder without it (a build that was killed) is rebuilt.
    """
    parent = Path(tempfile.gettempdir())
    home = parent / f"{VENV_PREFIX}{_sources_key()}"
    labeler = home / "venv" / "bin" / "labeler"
    with (parent / f"{VENV_PREFIX}lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (home / "ready").exists():
            os.utime(home)
            return labeler
        python = _base_python(SECOND)
        if python is None:
            pytest.skip(f"no Python 3.11+ that the user {SECOND} may execute was found")
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(mode=0o755)
        home.chmod(0o755)
        try:
            source = _copy_sources(home)
            subprocess.run(
                [python, "-m", "venv", "--without-pip", str(home / "venv")],
                check=True,
                capture_output=True,
            )
            done = subprocess.run(
                [sys.executable, "-m", "pip", "--python", str(home / "venv" / "bin" / "python"),
                 "install", "--quiet", "--no-input", "--disable-pip-version-check", str(source)],
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )  # fmt: skip
            if done.returncode != 0:
                raise AssertionError(f"could not build the users' venv:\n{done.stderr[-3000:]}")
            shutil.rmtree(source)
        except BaseException:
            shutil.rmtree(home, ignore_errors=True)
            raise
        (home / "ready").write_text("ok\n")
        _drop_stale_venvs(parent, home)
    return labeler


def user_env(user: str, home: Path) -> dict[str, str]:
    """A clean environment for ``user`` (nothing of root's: no HOME, no LABELER_REVIEWER)."""
    return {
        "PATH": BASE_PATH,
        "HOME": str(home),
        "USER": user,
        "LOGNAME": user,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TERM": "xterm-256color",
    }


def as_user(user: str, home: Path, argv: Sequence[str | Path]) -> list[str]:
    """``argv`` run as ``user`` with a clean environment (``runuser`` + ``env -i``)."""
    env = [f"{key}={value}" for key, value in user_env(user, home).items()]
    return [_sbin("runuser"), "-u", user, "--", "env", "-i", *env, *[str(a) for a in argv]]


def run(argv: Sequence[str | Path], *, cwd: Path | None = None, timeout: float = 120) -> Ran:
    """Run a command to its end, stdin closed, output captured."""
    args = [str(a) for a in argv]
    done = subprocess.run(
        args,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=timeout,
        check=False,
    )
    return Ran(args, done.returncode, done.stdout, done.stderr)


def run_on_terminal(
    argv: Sequence[str | Path], *, cwd: Path | None = None, timeout: float = 60
) -> Ran:
    """Run a command with its stdout on a pseudo-terminal (stderr captured apart); a command
    still running after ``timeout`` (a screen that opened) is killed and reported as such."""
    leader, follower = pty.openpty()
    args = [str(a) for a in argv]
    try:
        proc = subprocess.Popen(
            args,
            cwd=cwd,
            stdin=follower,
            stdout=follower,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        os.close(follower)
        follower = -1
        chunks: list[bytes] = []
        deadline = time.monotonic() + timeout
        os.set_blocking(leader, False)
        while proc.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(BlockingIOError, OSError):
                chunks.append(os.read(leader, 65536))
            time.sleep(0.05)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, 9)
            proc.wait()
            raise AssertionError(
                f"$ {shlex.join(args)} was still running after {timeout:.0f} s (a screen "
                f"opened instead of an error?); its terminal:\n{b''.join(chunks)[-2000:]!r}"
            )
        with contextlib.suppress(BlockingIOError, OSError):
            chunks.append(os.read(leader, 65536))
        assert proc.stderr is not None
        stderr = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    terminal = b"".join(chunks).decode(errors="replace").replace("\r\n", "\n")
    return Ran(args, proc.returncode, terminal, stderr)


def query(store: Path, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
    """Read the store on a fresh read-only connection, closed at once (as root)."""
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@contextlib.contextmanager
def holding_open(store: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process (root's) with a connection open on the store: its ``-wal`` and ``-shm``
    stay while it lives. Yields the process (the caller may SIGKILL it)."""
    code = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "c.execute('SELECT count(*) FROM cases').fetchone()\n"
        "print('open', flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(store)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "open", "the holder did not open the store"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
