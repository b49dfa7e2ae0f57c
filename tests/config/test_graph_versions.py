"""The table of Graph API versions, and `[networks] graph_api_version` checked on load."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from config import graph_versions
from config.errors import SettingsError
from config.settings import load_settings


def test_the_table_is_in_order_and_names_the_dates_not_published() -> None:
    versions = list(graph_versions.VERSIONS)
    numbers = [graph_versions.number(v) for v in versions]
    assert None not in numbers and numbers == sorted(numbers)
    released = [graph_versions.VERSIONS[v][0] for v in versions]
    assert released == sorted(released) and released[-1] <= graph_versions.WRITTEN
    for version, (out, retires) in graph_versions.VERSIONS.items():
        assert retires is None or retires > out, version
    # From Meta's changelog as written: v26.0 and v27.0 have no date published yet.
    assert graph_versions.retires_on("v20.0") == date(2026, 9, 24)
    assert graph_versions.retires_on("v21.0") == date(2027, 1, 21)
    assert graph_versions.retires_on("v26.0") is None
    assert graph_versions.VERSIONS["v27.0"] == (date(2026, 11, 4), None)
    assert graph_versions.LATEST == "v27.0"
    assert graph_versions.DEFAULT in graph_versions.VERSIONS


@pytest.mark.parametrize(("version", "today", "retired"), [
    ("v20.0", date(2026, 9, 23), False), ("v20.0", date(2026, 9, 24), True),
    ("v26.0", date(2099, 1, 1), False), ("v31.0", date(2099, 1, 1), False),
])
def test_a_version_retires_on_its_available_until_day(version: str, today: date,
                                                      retired: bool) -> None:
    assert graph_versions.is_retired(version, today) is retired


def _settings_file(tmp_path: Path, line: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[networks]\n{line}\n", encoding="utf-8")
    return path


def test_the_default_version_and_a_chosen_one(tmp_path: Path) -> None:
    empty = _settings_file(tmp_path, "")
    assert load_settings(empty, env={}).graph_api_version == graph_versions.DEFAULT == "v26.0"
    chosen = _settings_file(tmp_path, 'graph_api_version = "v25.0"')
    assert load_settings(chosen, env={}, today=date(2026, 12, 7)).graph_api_version == "v25.0"
    # A version newer than the table knows is taken: Meta may have released it since.
    newer = _settings_file(tmp_path, 'graph_api_version = "v31.0"')
    assert load_settings(newer, env={}, today=date(2026, 12, 7)).graph_api_version == "v31.0"


@pytest.mark.parametrize("value", ['"v26"', '"26.0"', '"v26.1"', '"V26.0"', '"v9.0"',
                                   '"v26.0/"', "26", '""'])
def test_a_version_not_of_the_form_vnn0_is_refused_with_an_example(tmp_path: Path,
                                                                   value: str) -> None:
    path = _settings_file(tmp_path, f"graph_api_version = {value}")
    with pytest.raises(SettingsError) as caught:
        load_settings(path, env={})
    message = caught.value.message
    assert f"In {path}, the setting `networks.graph_api_version` = " in message
    assert 'use a Graph API version such as "v27.0" (the form "vNN.0")' in message


def test_a_retired_version_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = _settings_file(tmp_path, 'graph_api_version = "v20.0"')
    with pytest.raises(SettingsError) as caught:
        load_settings(path, env={}, today=date(2026, 9, 24))
    assert caught.value.message == (
        f'In {path}, `networks.graph_api_version` = "v20.0" names a Graph API version that '
        "Meta retired on 24 September 2026: Facebook and Instagram refuse it. Set "
        'graph_api_version = "v27.0" in [networks] and run `costanza account check`.')
    # The day before, it still works.
    assert load_settings(path, env={}, today=date(2026, 9, 23)).graph_api_version == "v20.0"
