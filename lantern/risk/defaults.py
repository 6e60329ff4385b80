"""Read the shipped defaults (YAML in lantern/risk/data) into plain data, with their hashes.

Reading and checking only: services.py turns the data into rows, with audit events.
"""

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
TOOL_FILE = DATA_DIR / "default_tool.yaml"
RULES_FILE = DATA_DIR / "default_rules.yaml"
LANGUAGE_FILE = DATA_DIR / "default_language.yaml"

INDICATOR_DEFAULTS = {"weight": 1, "preset_level": "none", "current_for_days": 90, "guidance": ""}


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path.name} must hold a mapping")
    return data


def content_hash(data: Any) -> str:
    """A stable hash of parsed content: comments and layout changes do not count as changes."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def tool_data(path: Path = TOOL_FILE) -> dict[str, Any]:
    """The tool with every indicator default filled in, so the hash sees what is loaded."""
    tool = _read(path)["tool"]
    codes: set[str] = set()
    for domain in tool["domains"]:
        domain.setdefault("description", "")
        for indicator in domain["indicators"]:
            for key, value in INDICATOR_DEFAULTS.items():
                indicator.setdefault(key, value)
            indicator.setdefault("suggests", [])
            indicator.setdefault("steps", [])
            if indicator["code"] in codes:
                raise ValueError(f"Indicator code {indicator['code']} is used twice")
            codes.add(indicator["code"])
            if indicator["scale"] == "ladder" and not indicator["steps"]:
                raise ValueError(f"Ladder indicator {indicator['code']} has no steps")
    tool.setdefault("context", [])
    return tool


def rules_data(path: Path = RULES_FILE) -> dict[str, list[dict[str, Any]]]:
    data = _read(path)
    return {
        "override_rules": list(data.get("override_rules", [])),
        "repeat_missing_rules": list(data.get("repeat_missing_rules", [])),
    }


def language_data(path: Path = LANGUAGE_FILE) -> list[dict[str, Any]]:
    return list(_read(path).get("language_rules", []))
