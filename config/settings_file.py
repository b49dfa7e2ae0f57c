"""Reading ``config.toml`` into its tables, with a plain sentence when it cannot be read."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from config import i18n
from config.errors import SettingsError, os_reason
from config.i18n import _


def _toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    """What is wrong in the TOML: tomllib says it in English ("Cannot declare ('daemon',)
    twice (at line 65, column 8)"), so another language gets where it is."""
    where = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))
    if where is None or i18n.language() == i18n.SOURCE_LANGUAGE:
        return str(exc)
    return _("the mistake is at line {line}, column {column}").format(
        line=where.group(1), column=where.group(2))


def _read_problem(exc: OSError | UnicodeDecodeError) -> str:
    """Why the settings file cannot be read, in the language spoken (in English, as the
    system says it)."""
    if i18n.language() == i18n.SOURCE_LANGUAGE:
        return str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return _("it is not UTF-8 text")
    return os_reason(exc)


def read_file(path: Path, config_file: str | os.PathLike[str] | None) -> dict[str, Any]:
    """The settings file's tables; empty when there is none (unless --config named it)."""
    if path.exists():
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(_(
                "The settings file {path} is not valid TOML ({error}). "
                "Fix the line it names, or move the file away and run `costanza init`."
            ).format(path=path, error=_toml_problem(exc))) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(_("The settings file {path} cannot be read ({error}).")
                                .format(path=path, error=_read_problem(exc))) from None
    if config_file:
        raise SettingsError(_("The settings file {path} does not exist. Check the --config "
                              "path.").format(path=path))
    return {}
