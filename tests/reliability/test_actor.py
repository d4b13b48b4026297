"""Finding 2: the recorded user is the OS account of the process (its real uid),
never a name from the environment; only the project's admins (its creator,
plus whom they add) may change its settings, and every change of the settings
and of the admins is in the project's history (who, when, old, new).

Another user is met with ``setpriv --ruid``: the process's real uid becomes
``nobody`` (what the program reads as the user), its effective uid stays, so it
can still run the interpreter and open the test's files.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_bad_files import _env

ME = pwd.getpwuid(os.getuid()).pw_name


def _can_switch_ruid() -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return False
    probe = subprocess.run(["setpriv", "--ruid", "nobody", sys.executable, "-c", "import os; print(os.getuid())"],
                           capture_output=True, text=True, timeout=60)
    return probe.returncode == 0 and probe.stdout.strip() == str(pwd.getpwnam("nobody").pw_uid)


needs_root = pytest.mark.skipif(not _can_switch_ruid(), reason="needs root and setpriv to act as another user")


def run(tmp_path: Path, db: Path, *args: str, as_user: str | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`sprinttui --db DB ARGS` in a real process, as this user or (real uid) as `as_user`."""
    pre = ["setpriv", "--ruid", as_user] if as_user else []
    proc = subprocess.run([*pre, sys.executable, "-m", "sprinttui", "--db", str(db), *args], capture_output=True,
                          text=True, env={**_env(tmp_path), **(env or {})}, timeout=60)
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    return proc


def ok(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def refused(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert proc.stderr.startswith("sprinttui: error: ") and proc.stderr.count("\n") == 1, proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, (fragment, proc.stderr)


def settings_history(tmp_path: Path, db: Path) -> list[dict]:
    return json.loads(ok(run(tmp_path, db, "project", "history", "--json")))


@pytest.fixture
def db(tmp_path) -> Path:
    path = tmp_path / "p.db"
    ok(run(tmp_path, path, "init", "--name", "P"))
    ok(run(tmp_path, path, "stream", "add", "SAL", "Sales"))
    ok(run(tmp_path, path, "project", "set", "--allow-user-override", "no"))
    return path


def test_the_recorded_user_is_the_os_account_not_the_environment(db, tmp_path):
    faked = {"LOGNAME": "alice", "USER": "alice", "LNAME": "alice", "USERNAME": "alice"}
    key = ok(run(tmp_path, db, "item", "add", "--stream", "SAL", "Who wrote me", env=faked)).strip()
    shown = json.loads(ok(run(tmp_path, db, "item", "show", key, "--json")))
    actors = {entry["actor"] for entry in shown["history"]}
    assert actors == {ME}, shown["history"]
    # and naming someone else is refused while the project forbids it
    refused(run(tmp_path, db, "item", "add", "--stream", "SAL", "x", "--user", "alice"))


def test_the_creator_is_the_first_admin(db, tmp_path):
    assert json.loads(ok(run(tmp_path, db, "project", "admin", "list", "--json"))) == [ME]


@needs_root
def test_only_admins_change_the_settings_and_every_change_is_in_the_history(db, tmp_path):
    before = settings_history(tmp_path, db)
    # nobody, not an admin: may neither switch the override on nor make themself an admin
    refused(run(tmp_path, db, "project", "set", "--allow-user-override", "yes", as_user="nobody"),
            "only the project's admins", "nobody")
    refused(run(tmp_path, db, "project", "admin", "add", "nobody", as_user="nobody"), "only the project's admins")
    refused(run(tmp_path, db, "init", "--name", "Taken over", as_user="nobody"), "only the project's admins")
    assert settings_history(tmp_path, db) == before
    assert json.loads(ok(run(tmp_path, db, "project", "show", "--json")))["allow_user_override"] is False

    # the creator adds nobody; now nobody may change the settings, and it is recorded
    ok(run(tmp_path, db, "project", "admin", "add", "nobody"))
    ok(run(tmp_path, db, "project", "set", "--allow-user-override", "yes", as_user="nobody"))
    ok(run(tmp_path, db, "project", "set", "--allow-user-override", "no", as_user="nobody"))
    after = settings_history(tmp_path, db)[len(before):]
    assert [(e["field"], e["old"], e["new"], e["actor"]) for e in after] == [
        ("admins", ME, f"nobody,{ME}", ME),
        ("allow_user_override", "no", "yes", "nobody"),
        ("allow_user_override", "yes", "no", "nobody"),
    ]
    assert all(e["at"] for e in after)

    # the last admin cannot be removed; an admin removed can change nothing any more
    ok(run(tmp_path, db, "project", "admin", "remove", "nobody"))
    refused(run(tmp_path, db, "project", "set", "--sprint-length", "5", as_user="nobody"), "only the project's admins")
    refused(run(tmp_path, db, "project", "admin", "remove", ME), "last admin")
    assert json.loads(ok(run(tmp_path, db, "project", "admin", "list", "--json"))) == [ME]
