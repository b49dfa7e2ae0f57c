"""Set keys in an existing config.toml, keeping its comments."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # a valid TOML basic string


def set_values(path: Path, section: str, values: dict[str, Any]) -> None:
    """Write ``key = value`` lines under ``[section]`` (replacing the same keys)."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    header = re.compile(r"^\s*\[([^\]]+)\]\s*$")
    start = next((i for i, line in enumerate(lines)
                  if (m := header.match(line)) and m.group(1).strip() == section), None)
    new = [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    if start is None:
        lines += ["", f"[{section}]", *new]
    else:
        end = next((i for i in range(start + 1, len(lines)) if header.match(lines[i])),
                   len(lines))
        keys = re.compile(r"^\s*(" + "|".join(map(re.escape, values)) + r")\s*=")
        body = [line for line in lines[start + 1:end] if not keys.match(line)]
        lines = lines[:start + 1] + new + body + lines[end:]
    # Written aside, then renamed: a daemon reading the file never sees half of it.
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, path)
