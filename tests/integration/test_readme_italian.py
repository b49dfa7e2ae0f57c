"""README.it.md keeps step with README.md: the same sections, the same commands, links both ways.

The Italian README is a translation, so its prose and the comments in its code blocks differ;
what must not differ is its shape (the same headings, at the same levels, in the same order)
and what a reader types (the same code blocks, the same commands). Its examples may use the
Italian forms of a few values (``--timezone Roma``, ``--slots "lun 9.30, ..."``, dates as
``8/8/2026``): those, and only those, are listed in ITALIAN_INPUT with the English value they
stand for, and a test checks that Costanza reads each one as that value. The "Try it" block
is run by test_readme_try_it.py from README.md; here it must be the Italian one byte for byte.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config import i18n
from tests.integration.test_readme_try_it import TRY_IT, try_it_block

ROOT = Path(__file__).resolve().parents[2]
ENGLISH = ROOT / "README.md"
ITALIAN = ROOT / "README.it.md"

# (option, the Italian README's value) -> the English README's value in the same place.
ITALIAN_INPUT = {
    ("--timezone", "Roma"): "Europe/Rome",
    ("--slots", "lun 9.30, mer 18.00, ven 12"): "mon 09:30, wed 18:00, fri 12:00",
    ("--from", "8/8/2026"): "2026-08-08",
    ("--until", "24/8/2026"): "2026-08-24",
    ("--since", "7 giorni"): "7d",
}
# The Italian input both READMEs' "Language" section shows (in both: Costanza reads it in
# either language) -> what it means.
LANGUAGE_SECTION = {
    ("--timezone", "Roma"): "Europe/Rome",
    ("--slots", "lun 9.30, mer 18.00, ven 12"): "mon 09:30, wed 18:00, fri 12:00",
    ("--from", "24/12/2026"): "2026-12-24",
    ("--until", "31/12/2026"): "2026-12-31",
}

_FENCE = re.compile(r"^```([a-z]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_HEADING = re.compile(r"^(#{1,6}) (.+)$", re.MULTILINE)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def without_blocks(readme: str) -> str:
    """The README with its fenced blocks left out (a `# comment` line is no heading)."""
    return _FENCE.sub("", readme)


def headings(readme: str) -> list[tuple[int, str]]:
    return [(len(m.group(1)), m.group(2)) for m in _HEADING.finditer(without_blocks(readme))]


def blocks(readme: str) -> list[tuple[str, str]]:
    """Every fenced block: (its language tag, its text)."""
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(readme)]


def section(readme: str, index: int) -> str:
    """The text of the index-th heading's section, up to the next heading of any level."""
    body = without_blocks(readme)
    starts = [m.start() for m in _HEADING.finditer(body)] + [len(body)]
    return body[starts[index]:starts[index + 1]]


def strip_comment(line: str) -> str:
    """The line without its comment: a '#' outside quotes, at the start or after a space."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index]
    return line


def normalised(tokens: list[str]) -> list[str]:
    """The tokens with each allowed Italian value replaced by the English one."""
    out = list(tokens)
    for index in range(len(out) - 1):
        out[index + 1] = ITALIAN_INPUT.get((out[index], out[index + 1]), out[index + 1])
    return out


def commands(block: str) -> Iterator[list[str] | str]:
    """What a block makes the reader type, line by line: comments left out, a line ending
    in a backslash joined with the next, shell words when the line splits as shell words."""
    joined = re.sub(r"\\\n\s*", " ", block)
    for raw in joined.splitlines():
        line = " ".join(strip_comment(raw).split())
        if not line:
            continue
        try:
            yield normalised(shlex.split(line))
        except ValueError:  # not shell (a JSON shape, say): compared as written
            yield line


def test_readme_links_to_the_italian_one_at_the_top() -> None:
    english = text(ENGLISH)
    top = english[:english.index("\n## ")]
    assert "Leggi in italiano: [README.it.md](README.it.md)" in top


def test_the_italian_readme_links_back_at_the_top() -> None:
    italian = text(ITALIAN)
    top = italian[:italian.index("\n## ")]
    assert "[README.md](README.md)" in top


def test_the_same_headings_at_the_same_levels_in_the_same_order() -> None:
    english, italian = headings(text(ENGLISH)), headings(text(ITALIAN))
    assert [level for level, _ in italian] == [level for level, _ in english], (
        "README.it.md's headings are not README.md's:\n"
        + "\n".join(f"{'#' * a} {x}  |  {'#' * b} {y}"
                    for (a, x), (b, y) in zip(english, italian, strict=False)))
    assert italian[0] == english[0] == (1, "Costanza")


def test_each_section_shows_the_same_number_of_blocks() -> None:
    english, italian = text(ENGLISH), text(ITALIAN)
    for index, (level, title) in enumerate(headings(english)):
        count = len(_FENCE.findall(_section_with_blocks(english, index)))
        other = len(_FENCE.findall(_section_with_blocks(italian, index)))
        assert count == other, (
            f"section {'#' * level} {title}: {count} blocks, in README.it.md {other}")


def _section_with_blocks(readme: str, index: int) -> str:
    starts = [m.start() for m in _HEADING.finditer(readme)
              if not _inside_block(readme, m.start())] + [len(readme)]
    return readme[starts[index]:starts[index + 1]]


def _inside_block(readme: str, offset: int) -> bool:
    return any(m.start() <= offset < m.end() for m in _FENCE.finditer(readme))


def test_the_same_commands_in_the_code_blocks() -> None:
    english, italian = blocks(text(ENGLISH)), blocks(text(ITALIAN))
    assert len(italian) == len(english)
    for number, ((tag, block), (other_tag, other)) in enumerate(zip(english, italian,
                                                                   strict=True), 1):
        assert other_tag == tag, f"block {number}: ```{tag} in README.md, ```{other_tag} here"
        assert list(commands(other)) == list(commands(block)), (
            f"block {number} of README.it.md does not say what block {number} of README.md "
            f"says:\n{block}\n---\n{other}")


def test_the_try_it_block_is_the_same_byte_for_byte() -> None:
    # test_readme_try_it.py runs README.md's block: the same block is the Italian one's.
    english = try_it_block(text(ENGLISH), TRY_IT[ENGLISH.name])
    assert try_it_block(text(ITALIAN), TRY_IT[ITALIAN.name]) == english


def test_the_italian_readme_is_no_copy() -> None:
    english, italian = headings(text(ENGLISH)), headings(text(ITALIAN))
    same = [title for (_, title), (_, other) in zip(english[1:], italian[1:], strict=True)
            if title == other]
    assert not same, f"headings left in English: {same}"
    for index in range(1, len(english)):
        assert section(text(ITALIAN), index) != section(text(ENGLISH), index)


def test_every_italian_value_is_used_and_stands_for_its_english_one() -> None:
    italian = " ".join(block for _, block in blocks(text(ITALIAN)))
    english = " ".join(block for _, block in blocks(text(ENGLISH)))
    for (option, value), meaning in ITALIAN_INPUT.items():
        assert f'{option} {shlex.quote(value)}' in italian.replace('"', "'"), (option, value)
        assert f'{option} {shlex.quote(meaning)}' in english.replace('"', "'"), (option, meaning)


def test_the_language_section_shows_its_italian_input_in_both() -> None:
    for path in (ENGLISH, ITALIAN):
        shown = " ".join(block for _, block in blocks(text(path))).replace('"', "'")
        for option, value in LANGUAGE_SECTION:
            assert f"{option} {shlex.quote(value)}" in shown, (path.name, option, value)


@pytest.fixture(params=["it", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    before = i18n.language()
    i18n.set_language(request.param)
    try:
        yield request.param
    finally:
        i18n.set_language(before)


@pytest.mark.parametrize(("option", "value", "meaning"),
                         [(o, v, m) for (o, v), m in {**ITALIAN_INPUT, **LANGUAGE_SECTION}.items()])
def test_costanza_reads_the_italian_value_as_the_english_one(
        language: str, option: str, value: str, meaning: str) -> None:
    from costanza import timeparse
    from scheduler.planning import cadence

    if option == "--timezone":
        assert cadence.parse_timezone(value) == cadence.parse_timezone(meaning)
    elif option == "--slots":
        assert cadence.parse_slots(value) == cadence.parse_slots(meaning)
    elif option == "--since":
        now, tz = datetime(2026, 12, 7, 12, 0, tzinfo=UTC), ZoneInfo("Europe/Rome")
        assert timeparse.parse_since(value, now, tz) == timeparse.parse_since(meaning, now, tz)
    else:
        assert timeparse.parse_date(value, option) == timeparse.parse_date(meaning, option)
