"""Finding 4: a large Jira import must not block everyone.

The import reads the project, plans, and stages its rows in temporary tables
of its own connection without holding the write lock. It then publishes them
as a batch: a write transaction per few thousand rows, each row marked with
the batch, hidden from every reader until one last short transaction marks
the batch published. So another person's write at any moment of the import
goes through at once, a reader sees none of the import until it is
published, an import killed half-way leaves nothing anyone sees and the next
open of the database removes it, and when the project changed meanwhile the
import plans again instead of overwriting.

In-process tests hook into the import's progress calls (the moment it starts
staging, or between two of its publishing transactions) to write as someone
else; they run on SQLite and PostgreSQL. The process tests run the command on
a terminal (pseudo-terminal) and read its progress bar, or kill an importing
process at a chosen step.
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
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, text
from sqlalchemy import select as sql_select

from sprinttui.domain import ConflictError
from sprinttui.importers.jira import import_issues, read_jira_csv
from sprinttui.importers.jira.parse import ParsedFile
from sprinttui.importers.jira.sample import make_sample_csv
from sprinttui.services import items, members, project, sprints, streams
from sprinttui.services.context import Ctx
from sprinttui.services.item_rows import ItemQuery
from sprinttui.store.engine import Database
from sprinttui.store.models import Item, Member, Stream

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


def _what_a_reader_sees(ctx: Ctx) -> tuple[int, list[str], list[str], list[str]]:
    """Items, stream keys, member handles and sprint names, through the services."""
    return (len(items.list_items(ctx, ItemQuery())), [st.key for st in streams.list_streams(ctx)],
            sorted(m.handle for m in members.list_members(ctx)), [sp.name for sp in sprints.list_sprints(ctx)])


def _batch_rows(ctx: Ctx) -> tuple[int, int, int]:
    """Raw counts, past what readers see: items of unpublished batches, unpublished batches, all batches."""
    with ctx.db.engine.connect() as conn:
        hidden = conn.execute(text("SELECT count(*) FROM item WHERE import_batch_id IN "
                                   "(SELECT id FROM import_batch WHERE NOT published)")).scalar_one()
        open_ = conn.execute(text("SELECT count(*) FROM import_batch WHERE NOT published")).scalar_one()
        every = conn.execute(text("SELECT count(*) FROM import_batch")).scalar_one()
    return hidden, open_, every


def _sal_numbers(ctx: Ctx) -> tuple[list[int], int]:
    with ctx.db.read() as s:
        sal = s.execute(sql_select(Item.seq).join(Stream).where(Stream.key == "SAL").order_by(Item.seq)).scalars().all()
        next_seq = s.scalar(sql_select(Stream.next_seq).where(Stream.key == "SAL"))
    return list(sal), int(next_seq or 0)


def _someone_writes_while_the_import_publishes(url: str, sample: Path) -> None:
    importer, carol = _project(url)
    before = _what_a_reader_sees(carol)
    during: list = []

    def progress(phase: str, done: int, total: int) -> None:
        # between two publishing transactions, with rows of the batch written already
        if phase == "Publishing" and done == 2 and not during:
            assert total > 3 and _batch_rows(carol)[0] > 0, "the batch has rows written"
            during.append(items.create_item(carol, "Added while publishing", stream="SAL").key)
            members.edit_member(carol, "ann", availability=50)  # a change the plan does not rest on
            during.append(_what_a_reader_sees(carol))

    report = import_issues(importer, read_jira_csv(sample), progress=progress)
    assert during, "the import published in one step"
    assert during[0].startswith("SAL-"), "the write went through at once"
    count, keys, handles, names = during[1]
    assert (count, keys, handles, names) == (before[0] + 1, before[1], before[2], before[3]), \
        "a reader saw part of the import (items, streams, members or sprints) before it was published"
    assert len(report.created) == ROWS
    after = _what_a_reader_sees(carol)
    assert after[0] == ROWS + 2 and len(after[1]) > 1 and len(after[2]) > 1 and after[3]
    sal, next_seq = _sal_numbers(importer)
    assert sal == list(range(1, len(sal) + 1)) and next_seq == len(sal) + 1 and len(sal) > 2
    # the import took its numbers when it began publishing: the item added meanwhile follows them
    assert during[0] == f"SAL-{sal[-1]}"
    assert _batch_rows(carol) == (0, 0, 1)


def _a_change_while_publishing_makes_the_import_plan_again(url: str, sample: Path) -> None:
    importer, carol = _project(url)
    phases: list[str] = []

    def progress(phase: str, done: int, _total: int) -> None:
        if phase == "Publishing" and done == 2:  # half-way through the first batch
            members.edit_member(carol, "ann", name="Ann Renamed")
        if not phases or phases[-1] != phase:
            phases.append(phase)

    report = import_issues(importer, read_jira_csv(sample), progress=progress)
    assert phases[:4] == ["Planning", "Staging", "Publishing", "Planning (2)"], phases
    assert len(report.created) == ROWS and _what_a_reader_sees(carol)[0] == ROWS + 1
    # the first batch is gone, and the numbers it took were given back: no gap
    sal, next_seq = _sal_numbers(importer)
    assert sal == list(range(1, len(sal) + 1)) and next_seq == len(sal) + 1
    assert _batch_rows(carol) == (0, 0, 1)
    with importer.db.read() as s:
        assert s.scalar(sql_select(Member.name).where(Member.handle == "ann")) == "Ann Renamed"


def _a_second_import_meanwhile_is_refused(url: str, sample: Path) -> None:
    importer, carol = _project(url)
    refused: list[str] = []

    def progress(phase: str, done: int, _total: int) -> None:
        if phase == "Publishing" and done == 2 and not refused:
            with pytest.raises(ConflictError) as err:
                import_issues(carol, read_jira_csv(sample))
            refused.append(str(err.value))

    report = import_issues(importer, read_jira_csv(sample), progress=progress)
    assert len(refused) == 1 and refused[0].startswith("another import into this project is being published "
                                                       "(by importer, started "), refused
    assert "nothing was imported" in refused[0]
    assert len(report.created) == ROWS and _batch_rows(carol) == (0, 0, 1)


def _titles(ctx: Ctx) -> dict[str, tuple[str, int]]:
    """Jira key → (title, version) of every imported item, as a reader sees them."""
    with ctx.db.read() as s:
        return {k: (t, v) for k, t, v in s.execute(sql_select(Item.external_key, Item.title, Item.version)
                                                    .where(Item.external_key.is_not(None))).all()}


def _reimport(url: str, sample: Path, during: Callable[[Ctx, ParsedFile], None]):
    """Import `sample`, then a newer export of the same issues with other fields,
    calling `during(carol, newer)` half-way through its first publishing."""
    importer, carol = _project(url)
    import_issues(importer, read_jira_csv(sample))
    newer = read_jira_csv(make_sample_csv(sample.with_name("newer.csv"), ROWS, seed=5))
    phases: list[str] = []

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "Publishing" and done == 2:
            assert total > 3, "the import published in one step"
            during(carol, newer)
        if not phases or phases[-1] != phase:
            phases.append(phase)

    report = import_issues(importer, newer, progress=progress)
    return carol, newer, report, phases


def _a_reimport_shows_its_changes_at_once(url: str, sample: Path) -> None:
    seen: list = []

    def during(carol: Ctx, _newer: ParsedFile) -> None:
        seen.append(_titles(carol))
        seen.append(items.create_item(carol, "Added while publishing", stream="SAL").key)

    carol, newer, report, phases = _reimport(url, sample, during)
    assert phases[-1] == "Publishing" and len(seen) == 2, "published at the first attempt"
    updated = {c.external_key for c in report.updated}
    assert len(updated) > ROWS // 2
    after, mid = _titles(carol), seen[0]
    # half-way through, a reader saw every item as it was before: none changed yet
    assert [k for k in updated if mid[k][1] != after[k][1] - 1] == [], "a reader saw some changes early"
    assert {k: v for k, v in mid.items() if k not in updated} == {k: after[k] for k in mid if k not in updated}
    title_in_file = {iss.key: iss.title for iss in newer.issues}
    assert {k: after[k][0] for k in updated} == {k: title_in_file[k] for k in updated}
    assert seen[1].startswith("SAL-") and _batch_rows(carol) == (0, 0, 2)


def _retitled_by_the_file(carol: Ctx, newer: ParsedFile) -> tuple[str, str]:
    """Our key and the file's title of an item the newer export gives another title."""
    now = {k: t for k, (t, _v) in _titles(carol).items()}
    jira = next(i for i in newer.issues if i.key in now and now[i.key] != i.title)
    with carol.db.read() as s:
        return s.scalar(sql_select(Item.key).where(Item.external_key == jira.key)), jira.title


def _an_item_edited_while_a_reimport_publishes_makes_it_plan_again(url: str, sample: Path) -> None:
    edited: list[tuple[str, str]] = []

    def during(carol: Ctx, newer: ParsedFile) -> None:
        if not edited:
            edited.append(_retitled_by_the_file(carol, newer))
            items.edit_item(carol, edited[0][0], title="Renamed meanwhile")

    carol, _newer, report, phases = _reimport(url, sample, during)
    assert "Planning (2)" in phases, phases
    ours, title = edited[0]
    change = next(c for c in report.updated if c.key == ours)
    assert ("title", "Renamed meanwhile", title) in change.changes, "the second plan read the edit"
    assert items.get_item(carol, ours).row.title == title
    assert _batch_rows(carol) == (0, 0, 2)


def _an_item_added_to_the_open_sprint_while_a_reimport_publishes_makes_it_plan_again(url: str,
                                                                                    sample: Path) -> None:
    added: list[str] = []

    def during(carol: Ctx, _newer: ParsedFile) -> None:
        if not added:
            active = next(sp.name for sp in sprints.list_sprints(carol) if sp.state == "active")
            added.append(items.create_item(carol, "Urgent, added meanwhile", stream="SAL", sprint=active).key)

    carol, _newer, report, phases = _reimport(url, sample, during)
    assert "Planning (2)" in phases, "the plan rests on what the open sprint holds"
    assert report.updated and items.get_item(carol, added[0]).row.title == "Urgent, added meanwhile"
    assert _batch_rows(carol) == (0, 0, 2)


SCENARIOS = {f.__name__.strip("_"): f for f in (_someone_writes_while_the_import_stages,
                                               _a_change_meanwhile_makes_the_import_plan_again,
                                               _a_project_that_keeps_changing_gets_nothing,
                                               _someone_writes_while_the_import_publishes,
                                               _a_change_while_publishing_makes_the_import_plan_again,
                                               _a_second_import_meanwhile_is_refused,
                                               _a_reimport_shows_its_changes_at_once,
                                               _an_item_edited_while_a_reimport_publishes_makes_it_plan_again,
                                               _an_item_added_to_the_open_sprint_while_a_reimport_publishes_makes_it_plan_again)}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_on_sqlite(db_path, sample, scenario):
    SCENARIOS[scenario](f"sqlite:///{db_path}", sample)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_on_postgresql(pg_url, sample, scenario):
    SCENARIOS[scenario](pg_url, sample)


# --------------------------------------------------------------------------- a killed import, both engines

_KILLED_AT = """
import os, signal, sys
from sprinttui.importers.jira import import_jira_csv
from sprinttui.services.context import Ctx
from sprinttui.store.engine import Database

def progress(phase, done, total):
    if phase == "Publishing" and done == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)

import_jira_csv(Ctx(Database(sys.argv[1]), "importer"), sys.argv[2], progress=progress)
"""


def _until_the_server_lets_go(url: str) -> None:
    """PostgreSQL: wait until the killed process's session (and its advisory lock) is gone."""
    if not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            for _ in range(DEADLINE * 100):
                held = conn.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")).scalar_one()
                conn.rollback()
                if not held:
                    return
                select.select([], [], [], 0.01)
    finally:
        engine.dispose()
    raise AssertionError("the killed import's session kept its lock")


def _an_import_killed_while_publishing(url: str, sample: Path) -> None:
    importer, _ = _project(url)
    before = _what_a_reader_sees(importer)
    killed = subprocess.run([sys.executable, "-c", _KILLED_AT, url, str(sample), "2"],
                            capture_output=True, text=True, timeout=DEADLINE)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    hidden, open_batches, _ = _batch_rows(importer)
    assert hidden > 0 and open_batches == 1, "the import was killed with part of its batch written"
    _until_the_server_lets_go(url)
    # a reader that opens the database without cleaning up sees none of it
    reader = Ctx(Database(url, migrate=False), "reader")
    assert _what_a_reader_sees(reader) == before
    # the next open removes what the killed import left, and gives its numbers back
    Database(url).dispose()
    assert _batch_rows(importer) == (0, 0, 0)
    assert _what_a_reader_sees(reader) == before and _sal_numbers(importer) == ([1], 2)
    report = import_issues(importer, read_jira_csv(sample))
    assert len(report.created) == ROWS
    sal, next_seq = _sal_numbers(importer)
    assert sal == list(range(1, len(sal) + 1)) and next_seq == len(sal) + 1


def test_an_import_killed_while_publishing_on_sqlite(db_path, sample):
    _an_import_killed_while_publishing(f"sqlite:///{db_path}", sample)


def _db_check(db_path: Path) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "sprinttui", "--db", str(db_path), "db", "check"],
                          capture_output=True, text=True, timeout=DEADLINE)
    return proc.returncode, proc.stdout + proc.stderr


def test_db_check_names_a_running_import_and_removes_a_killed_ones_rows(db_path, sample):
    url = f"sqlite:///{db_path}"
    importer, _ = _project(url)
    said: list[tuple[int, str]] = []

    def progress(phase: str, done: int, _total: int) -> None:
        if phase == "Publishing" and done == 2 and not said:
            said.append(_db_check(db_path))

    import_issues(importer, read_jira_csv(sample), progress=progress)
    code, out = said[0]
    assert code == 0 and "an import is being published (by importer, started " in out, out
    assert "no one sees its rows until it is done" in out and ": ok" in out
    assert _batch_rows(importer) == (0, 0, 1), "db check left the running import alone, and it published"
    code, out = _db_check(db_path)
    assert code == 0 and "import" not in out, "nothing to say once it is published"
    # an import (of a newer export) killed half-way: db check removes what it left
    newer = make_sample_csv(sample.with_name("newer.csv"), ROWS, seed=5)
    killed = subprocess.run([sys.executable, "-c", _KILLED_AT, url, str(newer), "2"],
                            capture_output=True, text=True, timeout=DEADLINE)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _batch_rows(importer)[1] == 1
    code, out = _db_check(db_path)
    assert code == 0 and "removed the hidden rows of 1 import killed before publishing" in out, out
    assert _batch_rows(importer)[:2] == (0, 0)


def test_an_import_killed_while_publishing_on_postgresql(pg_url, sample):
    _an_import_killed_while_publishing(pg_url, sample)


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
    shown = Ctx(Database(f"sqlite:///{db}"), "reader")  # opening it removes what the import left
    names, count, check = _tables_and_items(db)
    assert names == [] and check == "ok" and count in (0, 3000), (names, count, check)
    assert len(items.list_items(shown, ItemQuery())) == count


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
