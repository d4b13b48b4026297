"""Finding 1: plain edits under contention are never refused.

Eight OS processes write the same few rows at once: blind edits (what the CLI
and every service call without ``expected_version`` do) must all succeed on
PostgreSQL as on SQLite, with nothing lost; only the editor, which passes the
version it read, is told that someone else changed the row.

The workers are this file run as a script (``python test_pg_contention.py
ROLE …``); each imports the program first, then waits for the start line on its stdin, so
that all of them hit the database at the same moment.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

WORKERS = 8
ROUNDS = 40  # service calls per worker: a count of races (138 of 480 conflicted before the fix)
CLI_EDITS = 2  # `item edit … --description` runs per worker (each opens the database: ~0.5 s)
ITEMS = 6
MEMBER, FINDING_TEXT = "ann", "Too many meetings"


# --------------------------------------------------------------------------- in the worker


def _wait_for_start() -> None:
    """Say "ready" on stdout, then block until the test writes the start line to stdin."""
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        sys.exit("the test never gave the start signal")


def _services(url: str, user: str, seed: str, finding: str) -> None:
    """ROUNDS blind writes of every kind, each acknowledged in the output once it returned."""
    import sprinttui.cli.commands  # noqa: F401 - loaded before the start, like the services
    from sprinttui.domain import SprintTuiError
    from sprinttui.services import evaluations, items, kpis, members, sprints, standups, streams
    from sprinttui.services.context import Ctx
    from sprinttui.store.engine import Database

    ctx = Ctx(Database(url), user)
    rng = random.Random(int(seed))
    keys = [f"SAL-{n}" for n in range(1, ITEMS + 1)]
    acks: list[dict] = []
    errors: list[str] = []
    ops = ("describe", "move", "plan", "add", "member", "stream", "sprint", "kpi", "vote", "standup", "rank")
    cli = []
    _wait_for_start()
    for n in range(ROUNDS):
        op = ops[(n + int(seed)) % len(ops)]
        text = f"{user} {op} {n}"
        if n % (ROUNDS // CLI_EDITS) == 0:
            cli.append(_cli_edit(url, f"{user} cli {n}"))
        try:
            if op == "describe":
                items.edit_item(ctx, "SAL-1", description=text)
            elif op == "move":
                items.move_item(ctx, rng.choice(keys), rng.choice(("todo", "doing", "review", "done")))
            elif op == "plan":  # several items, in any order: two planners must not deadlock
                items.plan_items(ctx, rng.sample(keys, 4), rng.choice(("S2", None)))
            elif op == "add":
                text = items.create_item(ctx, text, stream="SAL").key
            elif op == "member":
                members.edit_member(ctx, MEMBER, name=text)
            elif op == "stream":
                streams.edit_stream(ctx, "SAL", description=text)
            elif op == "sprint":
                sprints.edit_sprint(ctx, "S2", goal=text)
            elif op == "kpi":
                kpis.edit_kpi(ctx, "NPS", description=text)
            elif op == "rank":
                items.rerank(ctx, rng.choice(keys), before=rng.choice(keys))
            elif op == "vote":
                evaluations.vote(ctx, int(finding))
            else:
                standups.save_entry(ctx, MEMBER, today=text)
        except SprintTuiError as err:  # what a user would have seen; the test wants none
            errors.append(f"{op}: {type(err).__name__}: {err}")
            continue
        acks.append({"op": op, "value": text})
    print(json.dumps({"acks": acks, "errors": errors, "cli": cli}), flush=True)


def _cli_edit(url: str, text: str) -> dict:
    """What `sprinttui --db URL item edit SAL-1 --description TEXT` does, run in
    this process (the command opens the database as it would on its own)."""
    import contextlib
    import io

    from sprinttui.cli import main

    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = main(["--db", url, "item", "edit", "SAL-1", "--description", text])
    return {"value": text, "code": code, "stderr": err.getvalue().strip()}


# --------------------------------------------------------------------------- in the test


def _spawn(role: str, *args: object) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("SPRINTTUI_DB", "SPRINTTUI_USER")}
    return subprocess.Popen([sys.executable, __file__, role, *map(str, args)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def _start_together(procs: list[subprocess.Popen]) -> None:
    """Once every worker has loaded the program and said so, start them all at once."""
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready", "a worker ended before the start"
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()


def _finish(procs: list[subprocess.Popen]) -> list:
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err[-3000:]
        outs.append(json.loads(out))
    return outs


def _project(url: str):
    """Stream SAL with items SAL-1…SAL-6, sprints S1 (active) and S2, member ann,
    KPI NPS, an evaluation with one finding; returns (ctx, finding id)."""
    from sprinttui.services import evaluations, items, kpis, members, project, sprints, streams
    from sprinttui.services.context import Ctx
    from sprinttui.store.engine import Database

    ctx = Ctx(Database(url), "tester")
    project.init_project(ctx, "Contention")
    streams.add_stream(ctx, "SAL", "Sales")
    members.add_member(ctx, MEMBER, "Ann", stream="SAL")
    sprints.new_sprint(ctx, "S1", start="2026-01-05", end="2026-01-16")
    sprints.new_sprint(ctx, "S2", start="2026-01-19", end="2026-01-30")
    sprints.start_sprint(ctx, "S1")
    kpis.add_kpi(ctx, "NPS")
    for n in range(ITEMS):
        items.create_item(ctx, f"Item {n}", stream="SAL", points=1)
    ev = evaluations.create_evaluation(ctx, "S1")
    return ctx, evaluations.add_finding(ctx, ev.id, "to_improve", FINDING_TEXT).id


def _blind_writers_lose_nothing(url: str) -> None:
    from sprinttui.services import evaluations, items, members, standups, streams

    ctx, finding = _project(url)
    procs = [_spawn("services", url, f"w{n}", n, finding) for n in range(WORKERS)]
    _start_together(procs)
    services = _finish(procs)

    errors = [e for out in services for e in out["errors"]]
    cli = [out["cli"] for out in services]
    failed = [r for runs in cli for r in runs if r["code"] != 0]
    assert not errors, f"{len(errors)} blind service writes refused, e.g. {errors[:3]}"
    assert not failed, f"{len(failed)} of {WORKERS * CLI_EDITS} CLI edits failed, e.g. {failed[:3]}"

    acked: dict[str, list[str]] = {}
    for out in services:
        for ack in out["acks"]:
            acked.setdefault(ack["op"], []).append(ack["value"])
    # every edit is in the history, each once
    described = [h.new for h in items.history(ctx, "SAL-1") if h.field == "description"]
    expected = acked["describe"] + [r["value"] for runs in cli for r in runs]
    assert sorted(described) == sorted(expected)
    named = [h.new for h in members.history(ctx, MEMBER) if h.field == "name"]
    assert sorted(named) == sorted(acked["member"])
    streamed = [h.new for h in streams.history(ctx, "SAL") if h.field == "description"]
    assert sorted(streamed) == sorted(acked["stream"])
    # items added at once get distinct keys, numbered on from the stream's last
    added = acked["add"]
    assert len(set(added)) == len(added)
    assert sorted(r.key for r in items.list_items(ctx, stream="SAL")) == sorted(
        [f"SAL-{n}" for n in range(1, ITEMS + 1)] + added)
    assert sorted(int(k.split("-")[1]) for k in added) == list(range(ITEMS + 1, ITEMS + 1 + len(added)))
    # read-modify-write counts every vote
    assert evaluations.list_findings(ctx, evaluations.list_evaluations(ctx)[0].id)[0].votes == len(acked["vote"])
    assert standups.entries(ctx, stream="SAL")[0].today in acked["standup"]
    ctx.db.dispose()


def _editor_still_refuses_a_stale_save(url: str) -> None:
    """The app's editor passes the version it read: a change made since is a
    conflict, on PostgreSQL as on SQLite, and nothing is overwritten."""
    import pytest

    from sprinttui.domain import ConflictError
    from sprinttui.services import items
    from sprinttui.services.context import Ctx
    from sprinttui.store.engine import Database

    ctx, _ = _project(url)
    other = Ctx(Database(url), "bob")
    seen = items.get_row(ctx, "SAL-1")
    items.edit_item(other, "SAL-1", title="Bob's title")
    with pytest.raises(ConflictError):
        items.edit_item(ctx, "SAL-1", title="Mine", expected_version=seen.version)
    with pytest.raises(ConflictError):
        items.move_item(ctx, "SAL-1", "done", expected_version=seen.version)
    row = items.get_row(ctx, "SAL-1")
    assert (row.title, row.status) == ("Bob's title", "todo")
    assert items.edit_item(ctx, "SAL-1", title="Mine", expected_version=row.version).title == "Mine"
    other.db.dispose()
    ctx.db.dispose()


def test_blind_writers_lose_nothing_on_postgresql(pg_url):
    _blind_writers_lose_nothing(pg_url)


def test_blind_writers_lose_nothing_on_sqlite(db_path):
    _blind_writers_lose_nothing(f"sqlite:///{db_path}")


def test_editor_still_refuses_a_stale_save_on_postgresql(pg_url):
    _editor_still_refuses_a_stale_save(pg_url)


def test_editor_still_refuses_a_stale_save_on_sqlite(db_path):
    _editor_still_refuses_a_stale_save(f"sqlite:///{db_path}")


if __name__ == "__main__":
    {"services": _services}[sys.argv[1]](*sys.argv[2:])
