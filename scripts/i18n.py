#!/usr/bin/env python3
"""Costanza's message catalogs, with Babel: extract, update, compile, check.

    .venv/bin/python scripts/i18n.py update            # source -> costanza.pot -> it .po
    .venv/bin/python scripts/i18n.py update --merge more.po   # and take translations from it
    .venv/bin/python scripts/i18n.py compile           # .po -> .mo (committed)
    .venv/bin/python scripts/i18n.py check             # exit 1 if anything is missing

The messages are every ``_()``, ``N_()``, ``ngettext()``, ``pgettext()``, ``L_()`` and
``nL_()`` in config/, posts/, scheduler/ and costanza/ (the web page's templates too; the
sandbox, which speaks for the networks in their own English, aside), and click's own
messages, from its source.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "config" / "locale"
DOMAIN = "costanza"
LANGUAGES = ("it",)
PACKAGES = ("config", "posts", "scheduler", "costanza")
SKIPPED = ("costanza/demo/sandbox/", "posts/migrations/")
KEYWORDS = {
    "_": None, "N_": None, "L_": None,
    "ngettext": (1, 2), "nL_": (1, 2), "pgettext": ((1, "c"), 2),
}

# The web page's templates (costanza/web/templates) say their words with `_()` too.
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]


def _add(catalog: Catalog, found: object, where: str) -> None:
    for filename, lineno, message, comments, context in found:  # type: ignore[attr-defined]
        if isinstance(message, tuple | list):
            message = tuple(message)
            if not all(message):
                continue
        elif not message:
            continue
        catalog.add(message, None, [(f"{where}{filename}", lineno)], auto_comments=comments,
                    context=context)


def extract() -> Catalog:
    """Every message of Costanza's source and click's, as a template."""
    import click

    template = _new_catalog(None)
    for package in PACKAGES:
        found = extract_from_dir(
            ROOT / package, method_map=METHODS, keywords=KEYWORDS,
            comment_tags=("Translators:",), strip_comment_tags=True)
        kept = (item for item in found
                if not any(f"{package}/{item[0]}".startswith(s) for s in SKIPPED))
        _add(template, kept, f"{package}/")
    click_dir = Path(click.__file__).parent
    found = extract_from_dir(click_dir, method_map=[("**.py", "python")],
                             keywords={"_": None, "ngettext": (1, 2)})
    _add(template, found, "click/")
    return template


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


HEADER_COMMENT = """\
# Costanza's messages. English is the source; `scripts/i18n.py update` extracts them
# from the code (and click's own), `scripts/i18n.py compile` builds the .mo beside this
# file. Translate plainly: the readers are artisans, not programmers.
#"""
# A fixed date in the headers: the files change only when their messages do.
HEADER_DATE = datetime(2026, 12, 7, tzinfo=UTC)


def _new_catalog(language: str | None) -> Catalog:
    return Catalog(locale=language, domain=DOMAIN, project="Costanza", version="0.1",
                   charset="utf-8", creation_date=HEADER_DATE, revision_date=HEADER_DATE,
                   last_translator="Costanza", language_team="Italiano", fuzzy=False,
                   header_comment=HEADER_COMMENT)


def read(path: Path, language: str) -> Catalog:
    catalog = _new_catalog(language)
    if path.exists():
        with path.open("rb") as handle:
            read = read_po(handle, locale=language, domain=DOMAIN)
        for message in read:
            if message.id:
                catalog[message.id] = message
    # Italian as gettext has always counted it: one, and more than one ("1 post",
    # "3 post"; "1 giorno", "3 giorni").
    catalog._num_plurals, catalog._plural_expr = 2, "(n != 1)"
    return catalog


def _write_po(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, omit_header=False, sort_output=False,
             include_previous=False, no_location=False)
    path.write_bytes(buffer.getvalue())


def update(merge: list[Path]) -> None:
    template = extract()
    _write_po(template, LOCALE_DIR / f"{DOMAIN}.pot")
    for language in LANGUAGES:
        catalog = read(po_path(language), language)
        for extra in merge:
            with extra.open("rb") as handle:
                more = read_po(handle, locale=language, domain=DOMAIN)
            for message in more:
                if message.id and message.string and not message.fuzzy:
                    found = catalog.get(message.id, context=message.context)
                    if found is None:
                        catalog[message.id] = Message(message.id, message.string,
                                                      context=message.context)
                    else:
                        found.string = message.string
                        found.flags.discard("fuzzy")
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        for message in catalog:
            # No fuzzy matching here, so a fuzzy flag means only Babel's note that a plural
            # is new; a missing translation is found by `check` all the same.
            message.flags.discard("fuzzy")
            if isinstance(message.string, tuple | list):  # two forms, as gettext counts Italian
                forms = (*message.string, "", "")[:2]
                message.string = forms
        _write_po(catalog, po_path(language))
        print(f"{language}: {len(catalog)} messages, {len(missing(catalog))} to translate")


def compile_all() -> None:
    for language in LANGUAGES:
        catalog = read(po_path(language), language)
        with mo_path(language).open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        print(f"{language}: compiled {mo_path(language).relative_to(ROOT)}")


def missing(catalog: Catalog) -> list[str]:
    def untranslated(message: object) -> bool:
        string = message.string  # type: ignore[attr-defined]
        if isinstance(string, tuple | list):
            return not all(string)
        return not string

    return [str(m.id) for m in catalog if m.id and (m.fuzzy or untranslated(m))]


def _text(value: object) -> object:
    """A message's id or string, the same whether read from a .po or a .mo (a plural one
    is a tuple in the first, a list in the second)."""
    return tuple(value) if isinstance(value, tuple | list) else value


def _key(message: Message) -> tuple[object, object]:
    return message.context, _text(message.id)


def problems() -> list[str]:
    """What keeps the catalogs from being complete and current."""
    found: list[str] = []
    template = extract()
    for language in LANGUAGES:
        catalog = read(po_path(language), language)
        for message in template:
            if message.id and catalog.get(message.id, context=message.context) is None:
                found.append(f"{language}: not in the catalog: {message.id!r}")
        untranslated = set(missing(catalog))
        found += [f"{language}: not translated (or fuzzy): {m!r}" for m in missing(catalog)]
        if not mo_path(language).exists():
            found.append(f"{language}: {mo_path(language)} was never compiled")
            continue
        with mo_path(language).open("rb") as handle:
            compiled = read_mo(handle)
        want = {_key(m): _text(m.string) for m in catalog
                if m.id and not m.fuzzy and str(m.id) not in untranslated}
        have = {_key(m): _text(m.string) for m in compiled if m.id}
        if want != have:
            found.append(f"{language}: {mo_path(language).name} is older than "
                         f"{po_path(language).name}: run `scripts/i18n.py compile`")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("update", help="extract the messages and update the .po files")
    up.add_argument("--merge", type=Path, nargs="*", default=[],
                    help=".po files whose translations fill the catalog")
    sub.add_parser("compile", help="compile the .po files to .mo")
    sub.add_parser("check", help="exit 1 when a message is missing or a .mo is stale")
    args = parser.parse_args(argv)
    if args.command == "update":
        update(args.merge)
    elif args.command == "compile":
        compile_all()
    else:
        found = problems()
        for line in found:
            print(line)
        print(f"{len(found)} problems")
        return 1 if found else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
