"""Finding 7: only a value with ``scheme://`` is a database URL; anything else
given to --db (or $SPRINTTUI_DB) is a file path, taken literally, and an empty
value is a one-line error instead of the default database."""

from __future__ import annotations

from pathlib import Path

import pytest

from sprinttui.cli import main

ODD_NAMES = ["what?.db", "a%20b.db", "file:foo?mode=memory", "x#y.db", "sqlite:x.db", "-"]


@pytest.fixture
def run(capsys, monkeypatch, tmp_path):
    """`sprinttui ARGS` in-process, in an empty folder with its own home and data dir."""
    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("SPRINTTUI_DB", raising=False)
    monkeypatch.delenv("SPRINTTUI_USER", raising=False)

    def _run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err and "internal error" not in err, err
        return code, out, err

    _run.folder = folder  # type: ignore[attr-defined]
    return _run


@pytest.mark.parametrize("name", ODD_NAMES)
def test_a_db_value_without_scheme_is_a_literal_file_name(run, name):
    code, _out, err = run("--db", name, "init", "--name", "P")
    assert code == 0, err
    assert err == ""  # no warning about URI mode or a missing file
    assert sorted(p.name for p in run.folder.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [name]
    code, out, err = run("--db", name, "stream", "add", "SAL", "Sales")
    assert code == 0, err
    code, out, err = run("--db", name, "stream", "list")
    assert code == 0 and "SAL" in out, err  # the same file again: what was written is there


def test_an_sqlite_url_is_still_a_url(run):
    target = run.folder / "sub dir" / "p.db"
    target.parent.mkdir()
    code, _out, err = run("--db", f"sqlite:///{target}", "init", "--name", "P")
    assert code == 0, err
    assert target.exists()


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_db_is_a_one_line_error_and_opens_nothing(run, value):
    code, out, err = run("--db", value, "stream", "list")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("sprinttui: error: --db is empty"), err
    assert list(run.folder.iterdir()) == []
    assert not (Path(run.folder.parent) / "xdg").exists()  # the default database was not created either


def test_an_empty_sprinttui_db_variable_is_a_one_line_error(run, monkeypatch):
    monkeypatch.setenv("SPRINTTUI_DB", "")
    code, out, err = run("stream", "list")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "$SPRINTTUI_DB is empty" in err, err
    assert not (Path(run.folder.parent) / "xdg").exists()
