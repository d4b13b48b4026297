"""Per-user preferences (theme, standup order …) in the platformdirs config dir."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def config_path() -> Path:
    override = os.environ.get("SPRINTTUI_CONFIG")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir("sprinttui", appauthor=False)) / "config.json"


def load(user: str) -> dict[str, Any]:
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    users = data.get("users") if isinstance(data, dict) else None
    prefs = users.get(user) if isinstance(users, dict) else None
    return prefs if isinstance(prefs, dict) else {}


def save(user: str, **prefs: Any) -> None:
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    users = data.setdefault("users", {})
    if not isinstance(users, dict):
        users = data["users"] = {}
    users.setdefault(user, {}).update(prefs)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # preferences are a convenience; never fail the app for them
