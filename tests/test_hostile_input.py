"""Hostile input (the corpus in tests/data/hostile.json) through the services,
the command line and every export.

Each text either is stored and read back as typed minus its control characters,
or is refused with a one-line ValidationError; dates and points that make no
sense are refused with one line; unknown references give one line. Nothing
prints a terminal control sequence that came from the data: not the command
line (in-process and as a real process) and not the exports, which also keep
their own format intact (HTML without scripts, Markdown tables with their
columns, CSV cells that no spreadsheet runs, JSON that gives the text back)."""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import unicodedata
from contextlib import closing
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from sprinttui.cli import main
from sprinttui.display import show_bidi
from sprinttui.domain import NotFoundError, ValidationError
from sprinttui.export import export_sprint, export_standup
from sprinttui.services import evaluations, items, kpis, members, project, sprints, standups, streams
from sprinttui.services.context import Ctx
from sprinttui.store.engine import Database

# --------------------------------------------------------------------------- the corpus

CORPUS_FILE = Path(__file__).parent / "data" / "hostile.json"
TEXT_KINDS = ("markup", "ansi", "osc", "control", "huge", "rtl", "combining", "emoji", "cjk",
              "csv_formula", "html", "markdown_table")


def _materialise(text):
    """A text, or a spec like {"repeat": "Ω", "times": 100000} for a huge one."""
    return text["repeat"] * text["times"] if isinstance(text, dict) else text


RAW = json.loads(CORPUS_FILE.read_text(encoding="utf-8"))
CORPUS = [{**e, "text": _materialise(e["text"])} for e in RAW]
TEXTS = [e for e in CORPUS if e["kind"] in TEXT_KINDS]
DATES = [e for e in CORPUS if e["kind"] == "date_bad"]
POINTS = [e for e in CORPUS if e["kind"] == "points_bad"]
REFS = [e for e in CORPUS if e["kind"] == "unknown_ref"]


def keep_line(raw: str) -> str:
    """What a one-line field keeps: tab, CR and LF become spaces, every other
    control character (C0, DEL, C1) goes, the ends are trimmed."""
    out = []
    for ch in raw:
        if ch in "\t\r\n":
            out.append(" ")
        elif unicodedata.category(ch) != "Cc":
            out.append(ch)
    return "".join(out).strip()


def keep_text(raw: str) -> str:
    """What a multi-line field keeps: line ends become LF, tabs and LFs stay."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in raw if ch in "\t\n" or unicodedata.category(ch) != "Cc").strip()


# control characters (C0 but tab and LF, DEL, C1) and the bidi embeddings / overrides / isolates
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what no export may contain (CSV's own CRLF aside)


def assert_terminal_safe(text: str, what: str = "") -> None:
    m = TERMINAL_UNSAFE.search(text)
    assert m is None, f"{what}: {m.group()!r} at {m.start()} in {text[max(m.start() - 40, 0):m.start() + 40]!r}"


def assert_one_line(err: BaseException) -> str:
    msg = str(err)
    assert msg and "\n" not in msg, repr(msg[:300])
    assert all(ch.isprintable() for ch in msg), repr(msg[:300])
    return msg


def test_the_corpus_covers_what_the_issue_asks_for():
    ids = [e["id"] for e in RAW]
    assert len(RAW) >= 50 and len(set(ids)) == len(ids)
    kinds = {e["kind"] for e in RAW}
    assert set(TEXT_KINDS) | {"date_bad", "points_bad", "unknown_ref"} == kinds
    texts = {e["text"] for e in CORPUS}
    for must in ("[/", "[/]", "[@click=app.quit]x[/]", "[link=file:///etc/passwd]x[/link]", "31/02/2026",
                 "13/13/13", "next blursday", "+99999y", "-1", "1e309", "nan", "inf"):
        assert must in texts, must
    joined = "".join(e["text"] for e in CORPUS)
    for seq in ("\x1b[2J", "\x1b]52;c;", "\x1b]8;;http://x\x1b\\", "\x00", "\x07", "\u202e", "\u0301", "<script"):
        assert seq in joined, seq
    assert {t[0] for t in texts if t} >= set("=+-@\t\r")
    assert max(len(e["text"]) for e in TEXTS) == 100_000
    # the hints agree with the cleaning rule
    for e in TEXTS:
        if e.get("expect") == "empty":
            assert keep_line(e["text"]) == "" and keep_text(e["text"]) == ""
        if e.get("expect") == "too_long":
            assert len(keep_line(e["text"])) > 20_000


# --------------------------------------------------------------------------- a small project

NOW = datetime(2026, 3, 18, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


def fixed_clock() -> datetime:
    return NOW


def copy_db(src: Path, dest: Path) -> None:
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(dest)) as b:
        a.backup(b)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """Streams SAL, OPS; member ann; S1 active (SAL-1 in it), S2 planned; an
    evaluation of S1, the KPI 'Adoption', today's standup held."""
    path = tmp_path_factory.mktemp("hostile") / "template.db"
    db = Database(f"sqlite:///{path}")
    c = Ctx(db, "tester", clock=fixed_clock)
    project.init_project(c, "Hostile input")
    streams.add_stream(c, "SAL", "Sales")
    streams.add_stream(c, "OPS", "Operations")
    members.add_member(c, "ann", "Ann Example", stream="SAL")
    sprints.new_sprint(c, "S1", start="2026-03-16", end="2026-03-27", goal="Pilot")
    sprints.new_sprint(c, "S2", start="2026-03-30", end="2026-04-10")
    items.create_item(c, "Plain item", stream="SAL", points=3, sprint="S1")
    sprints.start_sprint(c, "S1")
    evaluations.create_evaluation(c, "S1", on=TODAY)
    kpis.add_kpi(c, "Adoption", unit="%")
    standups.start_session(c, on=TODAY)
    db.dispose()
    return path


@pytest.fixture
def proj(template, tmp_path):
    path = tmp_path / "project.db"
    copy_db(template, path)
    db = Database(f"sqlite:///{path}")
    c = Ctx(db, "tester", clock=fixed_clock)
    c.path = path  # type: ignore[attr-defined]  # for the command line
    yield c
    db.dispose()


def stream_key(i: int) -> str:
    return "H" + chr(65 + i // 26) + chr(65 + i % 26)


# --------------------------------------------------------------------------- services: text fields


def _eval_id(c) -> int:
    return evaluations.list_evaluations(c)[0].id


def _session_id(c) -> int:
    return standups.sessions(c, on=TODAY)[0].id


# name -> (limit, required, multi-line, write and read back)
FIELDS = {
    "item title": (20_000, True, False, lambda c, t, i: items.create_item(c, t, stream="SAL").title),
    "item title edit": (20_000, True, False, lambda c, t, i: items.edit_item(c, "SAL-1", title=t).title),
    "item description": (200_000, False, True, lambda c, t, i: items.get_item(
        c, items.create_item(c, f"described {i}", stream="SAL", description=t).key).description),
    "blocked reason": (2000, True, False, lambda c, t, i: items.set_blocked(c, "SAL-1", True, t).blocked_reason),
    "stream name": (200, True, False, lambda c, t, i: streams.add_stream(c, stream_key(i), t).name),
    "stream description": (200_000, False, True,
                           lambda c, t, i: streams.edit_stream(c, "OPS", description=t).description),
    "member name": (200, True, False, lambda c, t, i: members.add_member(c, f"m{i}", t).name),
    "sprint name": (100, True, False, lambda c, t, i: sprints.get_sprint(
        c, sprints.new_sprint(c, t, start="2026-05-04", end="2026-05-15").name).name),
    "sprint goal": (5000, False, True, lambda c, t, i: sprints.edit_sprint(c, "S1", goal=t).goal),
    "finding": (20_000, True, True, lambda c, t, i: evaluations.add_finding(c, _eval_id(c), "process", t).text),
    "evaluation summary": (200_000, False, True,
                           lambda c, t, i: evaluations.edit_evaluation(c, _eval_id(c), summary=t).summary),
    "KPI name": (200, True, False, lambda c, t, i: kpis.get_kpi(c, kpis.add_kpi(c, t).name).name),
    "KPI unit": (40, False, False, lambda c, t, i: kpis.edit_kpi(c, "Adoption", unit=t).unit),
    "measurement note": (2000, False, True,
                         lambda c, t, i: kpis.record(c, "Adoption", i, on=TODAY, note=t).measurements[-1].note),
    "standup yesterday": (5000, False, True, lambda c, t, i: standups.save_entry(c, "ann", yesterday=t).yesterday),
    "standup blockers": (5000, False, True, lambda c, t, i: standups.save_entry(c, "ann", blockers=t).blockers),
    "parking topic": (500, True, False,
                      lambda c, t, i: standups.add_parking_topic(c, _session_id(c), t).parking_lot[-1]),
}


@pytest.mark.parametrize("field", list(FIELDS))
def test_every_text_is_stored_literally_or_refused_in_one_line(proj, field):
    limit, required, multi, write = FIELDS[field]
    stored = refused = 0
    for i, e in enumerate(TEXTS):
        want = keep_text(e["text"]) if multi else keep_line(e["text"])
        if (required and not want) or len(want) > limit:
            with pytest.raises(ValidationError) as err:
                write(proj, e["text"], i)
            msg = assert_one_line(err.value)
            assert len(msg) < 200, (e["id"], msg)
            assert ("too long" in msg) if want else ("empty" in msg or "needs" in msg or "say why" in msg), msg
            refused += 1
        else:
            got = write(proj, e["text"], i)
            assert got == want, (field, e["id"], got[:80], want[:80])
            stored += 1
    assert stored >= 50 and stored + refused == len(TEXTS)


def test_refused_input_loses_and_changes_nothing(proj):
    before = items.get_item(proj, "SAL-1")
    history = len(items.history(proj, "SAL-1"))
    huge = next(e["text"] for e in TEXTS if e["kind"] == "huge" and len(e["text"]) > 20_000)
    controls = next(e["text"] for e in TEXTS if e.get("expect") == "empty")
    for change in (dict(title=huge), dict(title=controls), dict(title="ok", points="nan"),
                   dict(title="ok", due="31/02/2026"), dict(description="fine", kind="[/]")):
        with pytest.raises(ValidationError):
            items.edit_item(proj, "SAL-1", **change)
    assert items.get_item(proj, "SAL-1") == before
    assert len(items.history(proj, "SAL-1")) == history
    n = len(items.list_items(proj))
    with pytest.raises(ValidationError):
        items.create_item(proj, huge, stream="SAL", sprint="S1")
    assert len(items.list_items(proj)) == n
    assert items.create_item(proj, "Next one", stream="SAL").key == "SAL-2"  # no key was used up


def test_texts_as_keys_handles_and_choices_are_refused_in_one_line(proj):
    for i, e in enumerate(TEXTS):
        t = e["text"]
        for call in (lambda t=t: streams.add_stream(proj, t, "Name"),
                     lambda t=t: members.add_member(proj, t, "Name"),
                     lambda t=t: items.create_item(proj, "x", stream="SAL", kind=t),
                     lambda t=t: items.move_item(proj, "SAL-1", t),
                     lambda t=t: evaluations.add_finding(proj, _eval_id(proj), t, "text"),
                     lambda t=t, i=i: kpis.add_kpi(proj, f"K{i}", direction=t)):
            with pytest.raises(ValidationError) as err:
                call()
            assert_one_line(err.value)


# --------------------------------------------------------------------------- services: dates, points, references


def _date_calls(c, t, i):
    return {
        "due": lambda: items.get_row(c, items.create_item(c, f"due {i}", stream="SAL", due=t).key).due_date,
        "due edit": lambda: items.edit_item(c, "SAL-1", due=t).due_date,
        "sprint start": lambda: sprints.new_sprint(c, f"D{i}", start=t, end="2026-12-31").start,
        "measurement": lambda: kpis.record(c, "Adoption", 1, on=t).measurements[-1].date,
        "standup day": lambda: standups.save_entry(c, "ann", on=t, today="x").date,
    }


def test_bad_dates_are_refused_in_one_line_and_year_first_dates_read_year_month_day(proj):
    for i, e in enumerate(DATES):
        for name, call in _date_calls(proj, e["text"], i).items():
            if e["expect"] == "invalid":
                with pytest.raises(ValidationError) as err:
                    call()
                msg = assert_one_line(err.value)
                assert "date" in msg, (e["id"], name, msg)
            else:
                assert call() == date.fromisoformat(e["expect"]), (e["id"], name)
    # text that is no date at all
    for e in TEXTS:
        try:
            proj.day(e["text"])
        except ValidationError as err:
            assert_one_line(err)


def test_bad_points_and_values_are_refused_in_one_line(proj):
    for e in POINTS:
        t = e["text"]
        if e["expect"] == "invalid":
            for call in (lambda t=t: items.create_item(proj, "pts", stream="SAL", points=t),
                         lambda t=t: items.edit_item(proj, "SAL-1", points=t)):
                with pytest.raises(ValidationError) as err:
                    call()
                assert "points" in assert_one_line(err.value)
        else:
            row = items.create_item(proj, "pts", stream="SAL", points=t, sprint="S1")
            assert row.points == float(e["expect"]) and math.copysign(1, row.points) == 1, row.points
            exported = export_sprint(proj, "json")
            assert [i["points"] for i in json.loads(exported)["items"] if i["key"] == row.key] == [0]
            assert '"points": -0' not in exported
        # a KPI value may be negative or large, but must be a finite number
        try:
            finite = math.isfinite(float(t))
        except ValueError:
            finite = False
        if finite:
            assert kpis.record(proj, "Adoption", t, on=TODAY).measurements[-1].value == float(t)
        else:
            for call in (lambda t=t: kpis.record(proj, "Adoption", t, on=TODAY),
                         lambda t=t: kpis.edit_kpi(proj, "Adoption", target=t)):
                with pytest.raises(ValidationError) as err:
                    call()
                assert_one_line(err.value)
    assert items.get_row(proj, "SAL-1").points == 3


REF_CALLS = {
    "item": lambda c, t: [lambda: items.get_row(c, t), lambda: items.move_item(c, t, "done"),
                          lambda: items.plan_item(c, t, "S2")],
    "stream": lambda c, t: [lambda: items.create_item(c, "x", stream=t), lambda: streams.get_stream(c, t),
                            lambda: items.list_items(c, stream=t)],
    "member": lambda c, t: [lambda: members.get_member(c, t), lambda: items.create_item(c, "x", stream="SAL",
                                                                                       assignee=t),
                            lambda: standups.save_entry(c, t, today="x")],
    "sprint": lambda c, t: [lambda: sprints.get_sprint(c, t), lambda: items.plan_item(c, "SAL-1", t),
                            lambda: items.create_item(c, "x", stream="SAL", sprint=t)],
    "kpi": lambda c, t: [lambda: kpis.get_kpi(c, t), lambda: kpis.record(c, t, 1),
                         lambda: items.edit_item(c, "SAL-1", kpi=t)],
}


def test_unknown_references_give_one_line(proj):
    n = len(items.list_items(proj))
    for e in REFS:
        expected = NotFoundError if e["expect"] == "not_found" else ValidationError
        for call in REF_CALLS[e["ref"]](proj, e["text"]):
            with pytest.raises(expected) as err:
                call()
            assert_one_line(err.value)
    # every corpus text as a sprint, stream, member or item reference
    for e in TEXTS:
        for ref in ("sprint", "stream", "member", "item"):
            if ref == "sprint" and not e["text"].strip():
                continue  # a blank sprint means the backlog
            for call in REF_CALLS[ref](proj, e["text"]):
                with pytest.raises((NotFoundError, ValidationError)) as err:
                    call()
                assert_one_line(err.value)
    assert len(items.list_items(proj)) == n


# --------------------------------------------------------------------------- command line, in-process


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.delenv("SPRINTTUI_DB", raising=False)
    monkeypatch.delenv("SPRINTTUI_USER", raising=False)

    def run(db: Path, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["--db", str(db), "--user", "tester", *args])
        out, err = capsys.readouterr()
        if args[0] == "export":  # an export keeps the text's own bidi marks, but no control character
            assert not CONTROL.search(out.replace("\r\n", "\n")), args  # CSV rows end in CRLF
        else:
            assert_terminal_safe(out, f"stdout of {args[:2]}")
        assert_terminal_safe(err, f"stderr of {args[:2]}")
        assert "Traceback" not in out + err
        return code, out, err

    return run


def assert_cli_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2, err
    assert err.startswith("sprinttui: error: ") and err.count("\n") == 1 and err.endswith("\n"), repr(err[:300])
    assert len(err) < 1200
    for f in fragments:
        assert f in err, (f, err)


def test_cli_adds_shows_and_lists_every_text(proj, cli):
    db = proj.path
    shown: dict[str, str] = {}
    for e in TEXTS:
        want = keep_line(e["text"])
        code, out, err = cli(db, "item", "add", "--stream=SAL", f"--description={e['text']}", "--", e["text"])
        if not want or len(want) > 20_000:
            assert_cli_error(code, err, "title")
            continue
        assert code == 0 and err == "", (e["id"], err)
        key = out.strip()
        assert re.fullmatch(r"SAL-\d+", key), out
        shown[key] = want
        if len(shown) % 2:
            continue  # every other one is shown whole: a second each on a busy box
        code, out, err = cli(db, "item", "show", key)
        assert code == 0 and err == ""
        first = out.splitlines()[0]
        if want.isprintable():
            assert first == f"{key}  {want}", (e["id"], first)  # markup, HTML, formulas: literally
        assert len(out.splitlines()) > 10  # fields, description, history: all there
    assert len(shown) >= 55
    code, out, err = cli(db, "item", "list", "--json")
    assert code == 0
    by_key = {r["key"]: r["title"] for r in json.loads(out)}
    for key, want in shown.items():
        assert by_key[key] == want  # JSON gives back exactly what was stored
        assert items.get_row(proj, key).title == want
    code, out, err = cli(db, "item", "list")
    assert code == 0 and all(k in out for k in shown)
    click = next(k for k, t in shown.items() if t == "[@click=app.quit]x[/]")
    code, out, err = cli(db, "item", "list", "--search=[@click=app.quit]")
    assert code == 0 and click in out and "[@click=app.quit]x[/]" in out
    # edit the title of one item with each text: the same rule
    for e in TEXTS[::5]:
        want = keep_line(e["text"])
        code, out, err = cli(db, "item", "edit", "SAL-1", f"--title={e['text']}")
        if not want or len(want) > 20_000:
            assert_cli_error(code, err, "title")
        else:
            assert code == 0 and items.get_row(proj, "SAL-1").title == want


def test_cli_names_goals_and_kpis_with_texts(proj, cli):
    db = proj.path
    sample = [e for e in TEXTS if e["id"] in ("markup-click-quit", "ansi-clear", "osc-clipboard", "control-only",
                                              "huge-omega", "rtl-override", "cjk-mixed", "csv-minus")]
    for i, e in enumerate(sample):
        t = e["text"]
        want = keep_line(t)
        for args, limit in ((["stream", "add", "--", stream_key(i), t], 200),
                            (["member", "add", "--stream=SAL", "--", f"h{i}", t], 200),
                            (["sprint", "new", "--start=2026-06-01", "--end=2026-06-12", f"--goal={t}", "--", t], 100),
                            (["kpi", "add", "--unit=%", "--", t], 200)):
            code, out, err = cli(db, *args)
            if want and len(want) <= limit:
                assert code == 0 and err == "", (e["id"], args[:2], err)
            else:
                assert_cli_error(code, err)
        if want and len(want) <= 200:
            code, out, err = cli(db, "kpi", "record", f"--note={t}", "--date=2026-03-18", "--", want, "5")
            assert code == 0, err
        code, out, err = cli(db, "sprint", "edit", "S1", f"--goal={t}")
        if len(keep_text(t)) <= 5000:
            assert code == 0 and sprints.get_sprint(proj, "S1").goal == keep_text(t)
        else:
            assert_cli_error(code, err, "goal")
    for args in (["stream", "list"], ["member", "list"], ["sprint", "list"], ["kpi", "list"], ["report"],
                 ["report", "--json"], ["capacity", "S2"], ["slipped"], ["kpi", "list", "--json"]):
        code, out, err = cli(db, *args)
        assert code == 0 and err == "", (args, err)
        assert "[@click=app.quit]x[/]" in out or args[0] in ("capacity", "slipped", "report")
    # the JSON lists give every name back exactly
    code, out, err = cli(db, "kpi", "list", "--json")
    names = {k["name"] for k in json.loads(out)}
    assert {keep_line(e["text"]) for e in sample if 0 < len(keep_line(e["text"])) <= 100} <= names


def test_cli_bad_dates_points_and_references_give_one_line(proj, cli):
    db = proj.path
    for e in DATES:
        code, out, err = cli(db, "item", "add", "dated", "--stream=SAL", f"--due={e['text']}")
        if e["expect"] == "invalid":
            assert_cli_error(code, err, "date")
            other = (["sprint", "new", "Dx", f"--start={e['text']}", "--end=2026-12-31"],
                     ["kpi", "record", "Adoption", "3", f"--date={e['text']}"],
                     ["export", "standup", "--format=md", f"--date={e['text']}"])
            code, out, err = cli(db, *other[DATES.index(e) % 3])
            assert_cli_error(code, err, "date")
        else:
            assert code == 0, err
            assert items.get_row(proj, out.strip()).due_date == date.fromisoformat(e["expect"])
    for e in POINTS:
        code, out, err = cli(db, "item", "add", "pointed", "--stream=SAL", f"--points={e['text']}")
        if e["expect"] == "invalid":
            assert_cli_error(code, err, "points")
        else:
            assert code == 0
            code, out, err = cli(db, "item", "show", out.strip(), "--json")
            assert json.loads(out)["points"] == 0 and '"points": -0' not in out
    commands = {
        "item": lambda t: [["item", "show", t], ["item", "move", t, "done"], ["item", "plan", t, "S2"],
                           ["item", "delete", t]],
        "stream": lambda t: [["item", "add", "x", f"--stream={t}"], ["stream", "edit", t, "--name=n"],
                             ["export", "--format=md", f"--stream={t}"], ["slipped", f"--stream={t}"]],
        "member": lambda t: [["member", "edit", t, "--name=n"], ["item", "add", "x", "--stream=SAL",
                                                                 f"--assignee={t}"]],
        "sprint": lambda t: [["sprint", "start", t], ["report", t], ["capacity", t], ["export", "--format=csv",
                                                                                     f"--sprint={t}"]],
        "kpi": lambda t: [["kpi", "record", t, "1"]],
    }
    n = len(items.list_items(proj))
    for e in REFS:
        for args in commands[e["ref"]](e["text"]):
            code, out, err = cli(db, *args)
            assert_cli_error(code, err)
    assert len(items.list_items(proj)) == n  # nothing was added, moved or deleted


# --------------------------------------------------------------------------- command line, real processes


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SPRINTTUI_DB", "SPRINTTUI_USER")}
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "xdg"), PYTHONIOENCODING="utf-8")
    return env


def run_process(tmp_path: Path, db: Path, *args: str) -> tuple[int, bytes, bytes]:
    proc = subprocess.run([sys.executable, "-m", "sprinttui", "--db", str(db), "--user", "tester", *args],
                          capture_output=True, env=_env(tmp_path), timeout=60)
    for stream in (proc.stdout, proc.stderr):
        for seq in (b"\x1b", b"\x07", b"\x00", b"\xc2\x9b", b"\xc2\x9d", b"\xc2\x9c"):
            assert seq not in stream, (args[:3], seq, stream[:300])
        assert b"Traceback" not in stream
    return proc.returncode, proc.stdout, proc.stderr


def test_real_processes_print_no_control_sequences(proj, tmp_path):
    db = proj.path
    by_id = {e["id"]: e["text"] for e in TEXTS}
    # one title holding them all; each process start costs about a second on a busy box
    t = " ".join(by_id[n] for n in ("ansi-clear", "osc-clipboard", "osc-hyperlink", "markup-click-quit",
                                     "rtl-override", "osc-c1", "ansi-c1-csi", "control-bell"))
    code, out, err = run_process(tmp_path, db, "item", "add", "--stream=SAL", "--sprint=S1",
                                 f"--description={t}", "--", t)
    assert code == 0 and err == b"", err
    key = out.decode().strip()
    code, out, err = run_process(tmp_path, db, "item", "show", key)
    # the escape characters are gone, the rest shows as typed; the bidi override shows as <U+202E>
    shown = "".join(ch if ch.isprintable() else "?" for ch in show_bidi(keep_line(t)))
    assert code == 0 and out.startswith(f"{key}  [2J[Hcleared screen ]52;c;".encode())
    assert out.startswith(f"{key}  {shown}\n".encode()), out[:300]
    assert b"[@click=app.quit]x[/]" in out and "\u202e".encode() not in out  # no bidi override either
    code, out, err = run_process(tmp_path, db, "export", "--format=md")
    assert code == 0 and b"[@click=app.quit]" in out.replace(b"\\", b"")
    code, out, err = run_process(tmp_path, tmp_path / "\x1b[2Jmissing" / "x.db", "item", "add", "x",
                                 "--stream=SAL", "--due=\x1b]52;c;eA==\x07")
    assert code == 2 and err.count(b"\n") == 1 and b"does not exist" in err, err


# --------------------------------------------------------------------------- exports


@pytest.fixture(scope="module")
def hostile_project(template, tmp_path_factory):
    """Every text where the project shows text: item titles and descriptions (with
    a hostile stream name each), blocked reasons, the sprint goal, findings, KPI
    names and notes, member names and their standup notes, parking topics.
    Built once: the export tests only read it."""
    path = tmp_path_factory.mktemp("exports") / "project.db"
    copy_db(template, path)
    db = Database(f"sqlite:///{path}")
    c = Ctx(db, "tester", clock=fixed_clock)
    c.path = path  # type: ignore[attr-defined]
    kept: dict[str, list[str]] = {k: [] for k in ("title", "reason", "finding", "kpi", "blocker", "topic", "member")}
    goal = []
    for i, e in enumerate(TEXTS):
        t, line, text = e["text"], keep_line(e["text"]), keep_text(e["text"])
        if not line:
            continue
        stream = "SAL"
        if len(line) <= 200:
            stream = streams.add_stream(c, stream_key(i), t).key
            members.add_member(c, f"m{i}", t, stream=stream)
            kpis.add_kpi(c, t, unit="u")
            kpis.record(c, line, i, on=TODAY, note=t)
            kept["kpi"].append(line)
            kept["member"].append(f"m{i}")
            if len(text) <= 5000:
                standups.save_entry(c, f"m{i}", yesterday=t, today=t, blockers=t)
                kept["blocker"].append(text)
            if len(line) <= 500:
                standups.add_parking_topic(c, _session_id(c), t)
                kept["topic"].append(line)
        if len(line) <= 20_000:
            row = items.create_item(c, t, stream=stream, sprint="S1", points=1, description=t)
            kept["title"].append(line)
            if len(line) <= 2000 and i % 2:
                items.set_blocked(c, row.key, True, t)
                kept["reason"].append(line)
            evaluations.add_finding(c, _eval_id(c), "to_improve", t)
            kept["finding"].append(text)
        if sum(len(g) for g in goal) + len(text) < 4900:
            goal.append(text)
    sprints.edit_sprint(c, "S1", goal="\n".join(goal))
    kept["goal"] = ["\n".join(goal).strip()]
    yield c, kept
    db.dispose()


class Page(HTMLParser):
    """Tags, attributes and the text of every table cell (<br> as a newline)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def check_page(html: str) -> Page:
    """No script, no event handler, no javascript: URL; every table row as wide as its head."""
    page = Page()
    page.feed(html)
    page.close()
    assert not {"script", "iframe", "object", "embed", "img", "a"} & set(page.tags), set(page.tags)
    assert "<script" not in html.lower()
    for name, value in page.attrs:
        assert not name.startswith("on"), name
        assert "javascript:" not in re.sub(r"\s", "", value.lower()), (name, value)
    assert page.tables
    for t in page.tables:
        assert all(len(row) == len(t[0]) for row in t), [len(r) for r in t]
    return page


def cells(page: Page, head: str, col: int) -> list[str]:
    """Column `col` of every table whose header row starts with `head`."""
    return [row[col] for t in page.tables if t and t[0] and t[0][0] == head for row in t[1:]]


def marked(texts) -> set[str]:
    """The texts as Markdown, HTML and CSV show them: a bidi control as <U+202E>."""
    return {show_bidi(t) for t in texts}


def test_html_export_shows_every_text_and_runs_nothing(hostile_project):
    c, kept = hostile_project
    html = export_sprint(c, "html")
    assert not CONTROL.search(html)
    page = check_page(html)
    titles = set(cells(page, "Key", 1))
    assert marked(kept["title"]) <= titles
    assert marked(kept["kpi"]) <= set(cells(page, "KPI", 0))
    assert marked(kept["finding"]) <= set(cells(page, "Votes", 2))
    assert marked(kept["blocker"]) <= set(cells(page, "Date", 2))
    blocked = [t for t in page.tables if t[0] == ["Key", "Title", "Stream", "Reason"]][0]
    assert sorted(r[3] for r in blocked[1:]) == sorted(marked(kept["reason"]))


def test_markdown_export_keeps_its_tables_and_shows_every_text(hostile_project):
    c, kept = hostile_project
    text = export_sprint(c, "md")
    assert not CONTROL.search(text)
    rendered = MarkdownIt("commonmark").enable("table").render(text)
    page = check_page(rendered)  # nothing user-typed became HTML, a link or a table cell of its own
    # every table line has as many unescaped pipes as its head
    for block in re.split(r"\n\s*\n", text):
        lines = [ln for ln in block.splitlines() if ln.startswith("|")]
        if lines:
            widths = {len(re.findall(r"(?<!\\)\|", ln)) for ln in lines}
            assert len(widths) == 1, block[:300]
    def tabless(texts):  # Markdown shows a tab as a space
        return {t.replace("\t", " ") for t in marked(texts)}

    assert tabless(kept["title"]) <= set(cells(page, "Key", 1))
    assert tabless(kept["kpi"]) <= set(cells(page, "KPI", 0))
    assert tabless(kept["finding"]) <= set(cells(page, "Votes", 2))
    assert tabless(kept["blocker"]) <= set(cells(page, "Date", 2))
    assert "[@click=app.quit]x[/]" in set(cells(page, "Key", 1))


def test_csv_export_guards_formulas_and_keeps_its_columns(hostile_project):
    c, kept = hostile_project
    text = export_sprint(c, "csv")
    assert not CONTROL.search(text.replace("\r\n", "\n"))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    head = rows[0]
    assert all(len(r) == len(head) for r in rows)
    title, reason = head.index("title"), head.index("blocked_reason")
    by_title = {}
    for r in rows[1:]:
        for col in (title, reason):
            assert not r[col].startswith(("=", "+", "-", "@", "\t", "\r")), r[col]
        shown = r[title]
        by_title[shown[1:] if shown.startswith("'") and shown[1:2] in ("=", "+", "-", "@") else shown] = r
    assert marked(kept["title"]) <= set(by_title)
    guarded = [t for t in marked(kept["title"]) if t[0] in "=+-@"]
    assert len(guarded) >= 5 and all(by_title[t][title] == "'" + t for t in guarded)
    assert sorted(r[reason][1:] if r[reason][:1] == "'" else r[reason] for r in rows[1:] if r[reason]) == \
        sorted(marked(kept["reason"]))


def test_json_exports_give_the_stored_text_back_exactly(hostile_project):
    c, kept = hostile_project
    text = export_sprint(c, "json")
    assert text.isascii()  # every control or invisible character escaped
    doc = json.loads(text)
    assert {i["title"] for i in doc["items"]} >= set(kept["title"])
    assert sorted(i["blocked_reason"] for i in doc["items"] if i["blocked"]) == sorted(kept["reason"])
    assert doc["sprint"]["goal"] == kept["goal"][0]
    assert sorted(f["text"] for f in doc["findings"]) == sorted(kept["finding"])
    assert {k["name"] for k in doc["kpis"]} >= set(kept["kpi"])
    for i in doc["items"]:
        assert i["title"] == items.get_row(c, i["key"]).title
    standup = export_standup(c, "json", on=TODAY)
    assert standup.isascii()
    sdoc = json.loads(standup)
    assert sorted(b["text"] for b in sdoc["blockers"]) == sorted(kept["blocker"])
    assert sdoc["sessions"][0]["parking_lot"] == kept["topic"]
    assert {n["yesterday"] for n in sdoc["notes"]} >= set(kept["blocker"])


def test_standup_markdown_export_keeps_its_tables(hostile_project, cli):
    c, kept = hostile_project
    text = export_standup(c, "md", on=TODAY)
    assert not CONTROL.search(text)
    page = check_page(MarkdownIt("commonmark").enable("table").render(text))
    notes = [t for t in page.tables if t[0][:2] == ["Member", "Yesterday"]][0]
    kept_notes = sorted(show_bidi(t).replace("\t", " ") for t in kept["blocker"])  # a tab shows as a space
    assert sorted(r[1] for r in notes[1:] if r[1] != "absent") == kept_notes
    blockers = [t for t in page.tables if t[0] == ["Member", "Blocker"]][0]
    assert sorted(r[1] for r in blockers[1:]) == kept_notes
    topics = [ln[2:] for ln in text.split("### Parking lot", 1)[1].splitlines() if ln.startswith("- ")]
    assert len(topics) == len(kept["topic"])
    # the same through the command line, to a terminal and to a file
    for args in (["export", "standup", "--format=md", "--date=2026-03-18"], ["export", "--format=md"],
                 ["export", "--format=html"], ["export", "--format=csv"], ["export", "--format=json"]):
        code, out, err = cli(c.path, *args)
        assert code == 0 and err == "" and len(out) > 1000, (args, err)


def test_exports_of_data_written_behind_the_services_back_hold_no_control_characters(proj):
    """Rows written by an older version or another tool straight into the file:
    the exports still put no control character into the output."""
    bad = "evil\x1b]52;c;ZXZpbA==\x07\x1b[2J\x00\x9b31m\x7f end"
    items.create_item(proj, "victim", stream="SAL", sprint="S1")
    standups.save_entry(proj, "ann", on=TODAY, blockers="x")
    with closing(sqlite3.connect(proj.path)) as con:
        con.execute("UPDATE item SET title = ?, blocked = 1, blocked_reason = ?", (bad, bad))
        con.execute("UPDATE sprint SET goal = ?", (bad,))
        con.execute("UPDATE stream SET name = ?", (bad,))
        con.execute("UPDATE member SET name = ?", (bad,))
        con.execute("UPDATE project SET name = ?", (bad,))
        con.execute("UPDATE standup_entry SET blockers = ?", (bad,))
        con.execute("UPDATE kpi SET name = ?", (bad,))
        con.commit()
    outputs = {fmt: export_sprint(proj, fmt) for fmt in ("md", "html", "csv", "json")}
    outputs["standup md"] = export_standup(proj, "md", on=TODAY)
    outputs["standup json"] = export_standup(proj, "json", on=TODAY)
    for fmt, text in outputs.items():
        found = CONTROL.search(text.replace("\r\n", "\n"))
        assert found is None, (fmt, found.group(), text[max(found.start() - 30, 0):found.start() + 30])
        assert "evil" in text and "end" in text, fmt  # shown, not dropped
    assert json.loads(outputs["json"])["items"][0]["title"] == bad  # JSON escapes, keeps the exact text
