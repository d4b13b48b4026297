"""Golden tests of every export on the demo project, and the JSON exports
checked against the published schemas (docs/schema/*.schema.json).

The demo is built for a fixed day with a fixed clock, so each export is the
same on every run. After a deliberate change, rewrite the golden files with
`SPRINTTUI_UPDATE_GOLDEN=1 pytest tests/test_export_golden.py` and read the
diff before committing it.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import jsonschema
import pytest

from sprinttui.export import export_sprint, export_standup
from sprinttui.services import sprints, streams

GOLDEN = Path(__file__).parent / "golden" / "export"
SCHEMAS = Path(__file__).resolve().parent.parent / "docs" / "schema"
UPDATE = os.environ.get("SPRINTTUI_UPDATE_GOLDEN") == "1"

CASES = [
    # (file name, what to export)
    *[(f"sprint.{fmt}", lambda c, fmt=fmt: export_sprint(c, fmt)) for fmt in ("md", "html", "json", "csv")],
    *[(f"sprint-3-SAL.{fmt}", lambda c, fmt=fmt: export_sprint(c, fmt, sprint="Sprint 3", stream="SAL"))
      for fmt in ("md", "html", "json", "csv")],
    *[(f"standup-2026-03-17.{fmt}", lambda c, fmt=fmt: export_standup(c, fmt, on="2026-03-17"))
      for fmt in ("md", "json")],
]


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


def validate(doc: dict, name: str) -> None:
    jsonschema.validate(doc, schema(name), cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize("name,make", CASES, ids=[name for name, _m in CASES])
def test_export_of_the_demo_matches_its_golden_file(demo_ctx, name, make):
    text = make(demo_ctx)
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    with open(path, encoding="utf-8", newline="") as f:
        expected = f.read()
    assert text == expected, f"{name} differs from its golden file (see the module docstring)"
    assert make(demo_ctx) == text  # and the order is stable from one call to the next


def test_the_schemas_are_valid_json_schemas():
    for name in ("sprint-summary", "standup"):
        jsonschema.Draft202012Validator.check_schema(schema(name))


def test_every_sprint_and_stream_of_the_demo_exports_to_the_schema(demo_ctx):
    keys = [s.key for s in streams.list_streams(demo_ctx)]
    for sp in sprints.list_sprints(demo_ctx):
        if sp.state == "planned":
            continue
        for stream in [None, *keys]:
            doc = json.loads(export_sprint(demo_ctx, "json", sprint=sp.name, stream=stream))
            validate(doc, "sprint-summary")
            assert doc["sprint"]["name"] == sp.name and doc["stream"] == stream
    for day in ("2026-03-17", "2026-03-18"):
        validate(json.loads(export_standup(demo_ctx, "json", on=day)), "standup")


def test_the_schema_catches_a_broken_export(demo_ctx):
    """The schema test can fail: an export missing a key, with an unknown
    outcome or with a wrong type does not pass."""
    doc = json.loads(export_sprint(demo_ctx, "json"))
    for breakage in (
        lambda d: d.pop("items"),
        lambda d: d["items"][0].__setitem__("outcome", "lost"),
        lambda d: d["totals"].__setitem__("committed_points", "88"),
        lambda d: d["sprint"].__setitem__("start", "18/03/2026"),
        lambda d: d.__setitem__("schema_version", 2),
    ):
        broken = copy.deepcopy(doc)
        breakage(broken)
        with pytest.raises(jsonschema.ValidationError):
            validate(broken, "sprint-summary")
