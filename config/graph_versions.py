"""Each Graph API version Costanza knows: the day Meta released it and the day it retires.

Written on 7 December 2026 from Meta's Graph API changelog ("Available Graph API
Versions": Version, Date Introduced, Available Until), developers.facebook.com/docs/
graph-api/changelog, and its announcement of v27.0 (4 November 2026). A version is
usable up to the day before its "Available Until" date; on that day it retires and every
call to it fails. ``None``: Meta has not published the date yet (the changelog says "TBD").
By Meta's rule a version lives two years after the next one is released, so v26.0 should
last until about 4 November 2028, but Costanza warns only on a date Meta has published.

When Meta publishes a date or a new version, add it here, change ``WRITTEN``, and move
``DEFAULT`` (the version every Graph call uses unless ``[networks] graph_api_version``
says otherwise) once the new version has been tried against the sandbox.
"""

from __future__ import annotations

import re
from datetime import date

WRITTEN = date(2026, 12, 7)
DEFAULT = "v26.0"
# The form of a version in a URL: "v" and a number of two digits, ".0" (v10.0 onwards).
FORM = re.compile(r"^v([1-9][0-9])\.0$")

# version -> (released, retires: the changelog's "Available Until", None when not published)
VERSIONS: dict[str, tuple[date, date | None]] = {
    "v10.0": (date(2021, 2, 23), date(2023, 6, 8)),
    "v11.0": (date(2021, 6, 8), date(2023, 9, 14)),
    "v12.0": (date(2021, 9, 14), date(2024, 2, 8)),
    "v13.0": (date(2022, 2, 8), date(2024, 5, 28)),
    "v14.0": (date(2022, 5, 25), date(2024, 9, 17)),
    "v15.0": (date(2022, 9, 15), date(2024, 11, 20)),
    "v16.0": (date(2023, 2, 2), date(2025, 5, 14)),
    "v17.0": (date(2023, 5, 23), date(2025, 9, 12)),
    "v18.0": (date(2023, 9, 12), date(2026, 1, 26)),
    "v19.0": (date(2024, 1, 23), date(2026, 5, 21)),
    "v20.0": (date(2024, 5, 21), date(2026, 9, 24)),
    "v21.0": (date(2024, 10, 2), date(2027, 1, 21)),
    "v22.0": (date(2025, 1, 21), date(2027, 5, 20)),
    "v23.0": (date(2025, 5, 29), date(2027, 10, 8)),
    "v24.0": (date(2025, 10, 8), date(2028, 2, 18)),
    "v25.0": (date(2026, 2, 18), date(2028, 7, 29)),
    "v26.0": (date(2026, 7, 29), None),  # not published yet (TBD)
    "v27.0": (date(2026, 11, 4), None),  # not published yet (TBD)
}


def number(version: str) -> int | None:
    """26 for "v26.0"; None when ``version`` is not of the form vNN.0."""
    match = FORM.match(version)
    return int(match.group(1)) if match else None


# The newest version in the table: the one a message asks to move to.
LATEST = max(VERSIONS, key=lambda v: number(v) or 0)


def retires_on(version: str) -> date | None:
    """The day ``version`` retires, if Meta has published it (None too for a version the
    table does not know, such as one newer than it)."""
    known = VERSIONS.get(version)
    return known[1] if known else None


def is_retired(version: str, today: date) -> bool:
    """Whether calls to ``version`` fail on ``today`` (a day in UTC)."""
    retires = retires_on(version)
    return retires is not None and today >= retires


def date_words(day: date) -> str:
    """'21 January 2027' / '21 gennaio 2027': a day in words, in the language spoken."""
    from config.localtime import month_name

    return f"{day.day} {month_name(day.month)} {day.year}"


def refuse_retired(version: str, path: object, today: date) -> None:
    """Raise ``SettingsError`` when ``[networks] graph_api_version`` in ``path`` names a
    version retired by ``today``, with the version to use instead."""
    retires = retires_on(version)
    if retires is None or today < retires:
        return
    from config.errors import SettingsError
    from config.i18n import _

    raise SettingsError(_(
        "In {path}, `networks.graph_api_version` = \"{version}\" names a Graph API version "
        "that Meta retired on {date}: Facebook and Instagram refuse it. Set "
        "graph_api_version = \"{latest}\" in [networks] and run `costanza account check`."
    ).format(path=path, version=version, date=date_words(retires), latest=LATEST))
