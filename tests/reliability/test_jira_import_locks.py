"""Finding 4: a large Jira import must not block everyone.

The import reads the project, plans, and stages its rows in temporary tables
of its own connection without holding the write lock; only publishing (one
transaction) does. So another person's write during the import goes through
at once, a reader sees none of the import until it is published, an import
killed before publishing leaves nothing behind, and when the project changed
meanwhile the import plans again instead of overwriting.

In-process tests hook into the import's progress calls (the moment it starts
staging) to write as someone else; they run on SQLite and PostgreSQL. The
process tests run the command on a terminal (pseudo-terminal) and read its
progress bar.
"""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import sys
import threading
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select as sql_select

from sprinttui.domain import ConflictError
from sprinttui.importers.jira import import_issues, read_jira_csv
from sprinttui.importers.jira.sample import make_sample_csv
from sprinttui.services import items, members, project, sprints, streams
from sprinttui.services.context import Ctx
from sprinttui.store.engine import Database
from sprinttui.store.models import Item, Stream

ROWS = 600
DEADLINE = 120  # a hang guard only
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return make_sample_csv(tmp_path / "jira.csv", ROWS, seed=4)


def _project(url: str) -> tuple[Ctx, Ctx]:
    """The importer's context and another person's, on a project with a stream Sales (SAL)
    holding one item and a member ann."""
    importer = Ctx(Database(url), "importer")
    project.init_project(importer, "Import test")
    streams.add_stream(importer, "SAL", "Sales")
    items.create_item(importer, "Before the import", stream="SAL")
    members.add_member(importer, "ann", "Ann Example")
    return importer, Ctx(Database(url), "carol")


def _item_count(ctx: Ctx) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(sql_select(func.count()).select_from(Item)) or 0)


# --------------------------------------------------------------------------- in-process, both engines


def _someone_writes_while_the_import_stages(url: str, sample: Path) -> None:
    importer, carol = _project(url)
    during: list = []

    def progress(phase: str, _done: int, _total: int) -> None:
        if phase == "Staging" and not during:
            during.append(items.create_item(carol, "Added during the import", stream="SAL").key)
            during.append(_item_count(carol))  # what a reader sees meanwhile

    report = import_issues(importer, read_jira_csv(sample), progress=progress)
    assert during == ["SAL-2", 2], "the write went through at once, and a reader saw none of the import"
    assert len(report.created) == ROWS
    with importer.db.read() as s:
        keys = dict(s.execute(sql_select(Item.external_key, Item.key)).all())
        sal = s.execute(sql_select(Item.seq).join(Stream).where(Stream.key == "SAL").order_by(Item.seq)).scalars().all()
        next_seq = s.scalar(sql_select(Stream.next_seq).where(Stream.key == "SAL"))
    assert {jira: ours for ours, jira in report.created} == {j: k for j, k in keys.items() if j}
    # the import's Sales items come after the one added meanwhile, numbered without a gap
    assert sal == list(range(1, len(sal) + 1)) and next_seq == len(sal) + 1 and len(sal) > 2


def _a_change_meanwhile_makes_the_import_plan_again(url: str, sample: Path) -> None:
    importer, carol = _project(url)
    parsed = read_jira_csv(sample)
    import_issues(importer, parsed)
    first = parsed.issues[0]
    with importer.db.read() as s:
        ours = s.scalar(sql_select(Item.key).where(Item.external_key == first.key))
    phases: list[str] = []

    def progress(phase: str, done: int, _total: int) -> None:
        if phase == "Staging" and done == 0 and "Staging" not in phases:
            items.edit_item(carol, ours, title="Renamed meanwhile")
        if not phases or phases[-1] != phase:
            phases.append(phase)

    report = import_issues(importer, parsed, progress=progress)
    assert phases[:5] == ["Planning", "Staging", "Publishing", "Planning (2)", "Staging (2)"], phases
    assert [(c.key, c.changes) for c in report.updated] == [(ours, [("title", "Renamed meanwhile", first.title)])]
    assert len(report.created) == 0
    with importer.db.read() as s:
        assert s.scalar(sql_select(Item.title).where(Item.key == ours)) == first.title


def _a_project_that_keeps_changing_gets_nothing(url: str, sample: Path) -> None:
    importer, carol = _project(url)
    before = _item_count(importer)
    renames: list[int] = []

    def progress(phase: str, done: int, _total: int) -> None:
        if phase.startswith("Staging") and done == 0:  # "Staging", then "Staging (2)", "Staging (3)"
            renames.append(len(renames))
            members.edit_member(carol, "ann", name=f"Ann {len(renames)}")

    with pytest.raises(ConflictError, match="kept changing.*nothing was imported"):
        import_issues(importer, read_jira_csv(sample), progress=progress)
    assert len(renames) == 3 and _item_count(importer) == before


def test_others_write_elsewhere_while_postgresql_publishes(pg_url, sample):
    """Publishing locks only what it changes or files new items under: someone adding an
    item to another stream, renaming a member or changing a sprint the import leaves alone
    does not wait for it (on SQLite one writer at a time is the rule)."""
    importer, carol = _project(pg_url)
    streams.add_stream(importer, "OPS", "Operations")
    sprints.new_sprint(importer, "Later", start="2027-06-07", end="2027-06-18")
    done: list[str] = []

    def others() -> None:
        done.append(items.create_item(carol, "Added while publishing", stream="OPS").key)
        done.append(members.edit_member(carol, "ann", name="Ann Renamed").name)
        done.append(sprints.edit_sprint(carol, "Later", goal="Set while publishing").goal)

    def progress(phase: str, done_steps: int, _total: int) -> None:
        if phase == "Publishing" and done_steps == 1:  # inside the publishing transaction
            writer = threading.Thread(target=others)
            writer.start()
            writer.join(DEADLINE)  # a hang guard: a writer that waits for the import never ends
            assert not writer.is_alive(), "another writer waited for the import's publishing"

    report = import_issues(importer, read_jira_csv(sample), progress=progress)
    assert done == ["OPS-1", "Ann Renamed", "Set while publishing"] and len(report.created) == ROWS


SCENARIOS = {f.__name__.strip("_"): f for f in (_someone_writes_while_the_import_stages,
                                               _a_change_meanwhile_makes_the_import_plan_again,
                                               _a_project_that_keeps_changing_gets_nothing)}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_on_sqlite(db_path, sample, scenario):
    SCENARIOS[scenario](f"sqlite:///{db_path}", sample)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_on_postgresql(pg_url, sample, scenario):
    SCENARIOS[scenario](pg_url, sample)


# --------------------------------------------------------------------------- the command on a terminal


class Terminal:
    """`sprinttui ARGS…` on a pseudo-terminal; `wait_for` reads its screen output."""

    def __init__(self, *args: str, cwd: Path):
        master, slave = pty.openpty()
        env = {**os.environ, "COLUMNS": "100", "LINES": "30", "TERM": "xterm-256color", "HOME": str(cwd)}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "sprinttui", *args], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, cwd=cwd, close_fds=True)
        os.close(slave)
        self.master = master
        self.text = ""

    def _read(self, timeout: float) -> bool:
        """Read what is there (waiting up to `timeout` s); False once the program has closed the terminal."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the program exited
            return False
        if not data:
            return False
        self.text += _ANSI.sub("", data.decode("utf-8", "replace"))
        return True

    def wait_for(self, pattern: str) -> bool:
        """Read until `pattern` shows (True) or the program exits without it (False)."""
        rx = re.compile(pattern)
        for _ in range(DEADLINE * 10):
            if rx.search(self.text):
                return True
            if not self._read(0.1):
                return bool(rx.search(self.text))
        raise AssertionError(f"neither {pattern!r} nor the end of the program came: {self.text[-500:]!r}")

    def finish(self) -> int:
        while self._read(1.0):
            pass
        os.close(self.master)
        return self.proc.wait(timeout=DEADLINE)


def _init(db: Path, cwd: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "sprinttui", "--db", str(db), "init", "--name", "Locks"],
                          capture_output=True, text=True, cwd=cwd, timeout=DEADLINE)
    assert proc.returncode == 0, proc.stderr


def _tables_and_items(db: Path) -> tuple[list[str], int, str]:
    with closing(sqlite3.connect(db)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE name LIKE '%stage%'")]
        count = con.execute("SELECT count(*) FROM item").fetchone()[0]
        check = con.execute("PRAGMA integrity_check").fetchone()[0]
    return names, count, check


def test_the_import_stages_while_someone_holds_the_write_lock_and_a_kill_leaves_nothing(tmp_path):
    db, csv = tmp_path / "p.db", make_sample_csv(tmp_path / "j.csv", 3000, seed=5)
    _init(db, tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer, in the middle of its transaction
    term = Terminal("--db", str(db), "import", "jira-csv", str(csv), cwd=tmp_path)
    try:
        staged = term.wait_for(r"Staging[^\r\n]*100%")
        shown = term.text
    finally:
        term.proc.kill()
        term.finish()
        holder.execute("ROLLBACK")
        holder.close()
    assert staged, f"the import did not read, plan and stage while another writer held the lock: {shown[-300:]!r}"
    for phase in ("Reading", "Planning", "Staging"):
        assert phase in shown, phase
    assert _tables_and_items(db) == ([], 0, "ok"), "a killed import left rows or tables behind"

    again = Terminal("--db", str(db), "import", "jira-csv", str(csv), cwd=tmp_path)
    assert again.wait_for(r"3000 created")
    assert again.finish() == 0
    assert "Publishing" in again.text
    assert _tables_and_items(db) == ([], 3000, "ok")


def test_an_import_killed_while_publishing_is_all_or_nothing(tmp_path):
    db, csv = tmp_path / "p.db", make_sample_csv(tmp_path / "j.csv", 3000, seed=6)
    _init(db, tmp_path)
    term = Terminal("--db", str(db), "import", "jira-csv", str(csv), cwd=tmp_path)
    try:
        assert term.wait_for(r"Publishing"), term.text[-300:]
        os.kill(term.proc.pid, signal.SIGKILL)
    finally:
        term.finish()
    names, count, check = _tables_and_items(db)
    assert names == [] and check == "ok" and count in (0, 3000), (names, count, check)


def test_ctrl_c_stops_an_import_and_says_nothing_was_imported(tmp_path):
    db, csv = tmp_path / "p.db", make_sample_csv(tmp_path / "j.csv", 3000, seed=7)
    _init(db, tmp_path)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the import cannot get as far as publishing
    term = Terminal("--db", str(db), "import", "jira-csv", str(csv), cwd=tmp_path)
    try:
        assert term.wait_for(r"Planning|Staging"), term.text[-300:]
        os.kill(term.proc.pid, signal.SIGINT)
        code = term.finish()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 130
    assert "sprinttui: interrupted: nothing was imported" in term.text
    assert _tables_and_items(db) == ([], 0, "ok")
