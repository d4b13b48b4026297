"""Layering: only sprinttui.tui may use Textual. The service layer, the store and
the command line must work (and start fast) without it."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import sprinttui

PACKAGE = Path(sprinttui.__file__).resolve().parent
TUI = PACKAGE / "tui"


def _modules_outside_tui() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if TUI not in p.parents)


def _textual_imports(path: Path) -> list[str]:
    """Every import of textual in the file, at any depth (functions, try blocks …)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute))
              and getattr(node.func, "id", getattr(node.func, "attr", None)) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)):
            names = [str(node.args[0].value)]
        else:
            continue
        for name in names:
            if name == "textual" or name.startswith("textual."):
                where = path.relative_to(PACKAGE.parent) if PACKAGE.parent in path.parents else path.name
                found.append(f"{where}:{node.lineno} imports {name}")
    return found


def test_the_scan_sees_the_whole_package_and_would_catch_an_import(tmp_path):
    files = {p.relative_to(PACKAGE).as_posix() for p in _modules_outside_tui()}
    assert {"services/items.py", "services/reports.py", "store/engine.py", "cli/__init__.py"} <= files
    assert not any(f.startswith("tui/") for f in files)
    # the detector itself works, also for imports hidden in a function or a try block
    sample = tmp_path / "probe.py"
    sample.write_text(
        "def f():\n    from textual.widgets import Static\n"
        "try:\n    import textual as t\nexcept ImportError:\n    pass\n"
        "import textualize_not_textual\nfrom rich.text import Text\n"
    )
    assert len(_textual_imports(sample)) == 2


def test_no_module_outside_tui_imports_textual():
    offenders = [hit for p in _modules_outside_tui() for hit in _textual_imports(p)]
    assert offenders == []


def test_importing_services_store_and_cli_does_not_load_textual():
    modules = []
    for sub in ("services", "store"):
        for p in sorted((PACKAGE / sub).glob("*.py")):
            name = p.stem
            modules.append(f"sprinttui.{sub}" if name == "__init__" else f"sprinttui.{sub}.{name}")
    modules += ["sprinttui.cli", "sprinttui.domain", "sprinttui.dates"]
    code = textwrap.dedent("""
        import importlib, sys
        for name in sys.argv[1:]:
            importlib.import_module(name)
        loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        print("LOADED:" + ",".join(loaded))
    """)
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-c", code, *modules], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "sprinttui.services.items" in modules and "sprinttui.store.migrate" in modules
    assert result.stdout.strip() == "LOADED:"
