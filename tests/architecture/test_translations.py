"""Every message has its Italian translation, and each translation keeps its placeholders.

The catalog is checked the way `scripts/i18n.py check` checks it: every message of the
source (Costanza's and click's) is in config/locale/it/LC_MESSAGES/costanza.po, none is
untranslated or fuzzy, and the committed .mo says the same as the .po. Then each entry:
the placeholders of a translation (``{name}``, ``{value!r}``, ``%(prog)s``) are the same
set as its English message's, and a plural entry has both Italian forms.
"""

from __future__ import annotations

import importlib.util
import re
import string
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.catalog import Catalog, Message

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("costanza_i18n_script",
                                                  ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _script()


@pytest.fixture(scope="module")
def catalog(script: ModuleType) -> Catalog:
    return script.read(script.po_path("it"), "it")


def placeholders(text: str) -> set[str]:
    """The fields a message fills in: ``{name}``, ``{value!r}``, ``{n:,}`` (by name and
    conversion) and ``%(prog)s``; ``{{`` and ``}}`` are text."""
    found = {f"%({name})s" for name in re.findall(r"%\((\w+)\)[sdr]", text)}
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise AssertionError(f"not a valid format string ({exc}): {text!r}") from None
    for _literal, field, spec, conversion in parsed:
        if field is not None:
            found.add("{" + field + (f"!{conversion}" if conversion else "")
                      + (f":{spec}" if spec else "") + "}")
    return found


def test_placeholders_are_read_as_format_fields() -> None:
    assert placeholders("There is no post {number}.") == {"{number}"}
    assert placeholders("{value!r} is not {choice}.") == {"{value!r}", "{choice}"}
    assert placeholders("%(prog)s, version %(version)s") == {"%(prog)s", "%(version)s"}
    assert placeholders("{{literal}} and {n}") == {"{n}"}


def test_the_catalog_is_complete_and_compiled(script: ModuleType) -> None:
    """`scripts/i18n.py check`: no message missing, untranslated or fuzzy; .mo current."""
    found = script.problems()
    assert not found, f"{len(found)} problems in the catalog:\n" + "\n".join(found[:60])


def test_check_exits_1_when_something_is_missing(script: ModuleType,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(script, "problems", lambda: ["it: not translated (or fuzzy): 'x'"])
    assert script.main(["check"]) == 1
    assert "1 problems" in capsys.readouterr().out


def _entries(catalog: Catalog) -> list[Message]:
    return [m for m in catalog if m.id]


def test_every_translation_keeps_the_placeholders_of_its_message(catalog: Catalog) -> None:
    """The same set of placeholders: msgstr against msgid; in a plural entry msgstr[0]
    against msgid and msgstr[1] against msgid_plural (Italian, like English, uses the
    first form for one thing only)."""
    wrong = []
    for message in _entries(catalog):
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = (message.string if isinstance(message.string, tuple | list)
                   else (message.string,))
        for form, (source, text) in enumerate(zip(ids, strings, strict=False)):
            if not text:
                continue  # missing: test_the_catalog_is_complete_and_compiled says so
            wanted, got = placeholders(source), placeholders(text)
            if wanted != got:
                wrong.append(f"{source!r} -> {text!r} [msgstr[{form}]]: extra "
                             f"{sorted(got - wanted)}, lost {sorted(wanted - got)}")
    assert not wrong, "translations whose placeholders differ:\n" + "\n".join(wrong)


def test_plural_entries_have_both_italian_forms(catalog: Catalog) -> None:
    assert catalog.num_plurals == 2
    assert catalog.plural_expr == "(n != 1)"
    plurals = [m for m in _entries(catalog) if m.pluralizable]
    assert plurals, "no plural messages at all? click alone has several"
    wrong = [f"{m.id!r}: {m.string!r}" for m in plurals
             if not isinstance(m.string, tuple | list) or len(m.string) != 2
             or not all(m.string)]
    assert not wrong, "plural entries without both forms:\n" + "\n".join(wrong)


def test_no_plural_message_is_translated_as_a_single_form(catalog: Catalog) -> None:
    """``ngettext`` in the source is a plural entry in the catalog (not two entries)."""
    singular_ids = {m.id for m in _entries(catalog) if not m.pluralizable}
    doubled = [m.id for m in _entries(catalog) if m.pluralizable and m.id[0] in singular_ids
               and m.id[0] != m.id[1]]
    assert not doubled, doubled


def test_the_fragments_match_messages_of_the_source(script: ModuleType) -> None:
    """A translation in config/locale/parts/*.po whose English message is not in the
    source any more (a typo, a message reworded) translates nothing."""
    from babel.messages.pofile import read_po

    template = script.extract()
    known = {(m.context, m.id if not isinstance(m.id, list) else tuple(m.id))
             for m in template if m.id}
    stale = []
    for fragment in sorted((ROOT / "config" / "locale" / "parts").glob("*.po")):
        with fragment.open("rb") as handle:
            for message in read_po(handle, locale="it"):
                key = (message.context, message.id if not isinstance(message.id, list)
                       else tuple(message.id))
                if message.id and key not in known:
                    stale.append(f"{fragment.name}: {message.id!r}")
    assert not stale, "translations of messages the source no longer has:\n" + "\n".join(stale)


def test_no_translation_keeps_english_words(catalog: Catalog) -> None:
    """Each Italian msgstr read by the checker of the --help tests (english.py), with its
    own msgid's words counted as English: a half-translated message fails here even when
    no test shows it."""
    from tests.costanza.cli.english import english_left

    wrong = []
    for message in _entries(catalog):
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = (message.string if isinstance(message.string, tuple | list)
                   else (message.string,))
        for source, text in zip(ids, strings, strict=False):
            if text and (left := english_left(text, source)):
                wrong.append(f"{source!r}:\n    " + "\n    ".join(left))
    assert not wrong, "English left in translations:\n" + "\n".join(wrong)
