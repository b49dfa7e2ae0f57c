"""Where the step-by-step guide explains each `account add`: one line, with its link.

docs/accounts.md (and its Italian twin, docs/accounts.it.md) has a section for each way
of connecting an account, each marked with an anchor that both files share. The line
names the English file; its Italian translation names the Italian one, with the same
anchor (tests/integration/test_accounts_docs.py checks that every anchor exists).
"""

from __future__ import annotations

import click

from config.i18n import N_, _

# Each section of the guide -> the line that points at it (translated when shown: the
# same text is the `--help` epilog of its command).
GUIDES = {
    "facebook": N_("Step-by-step guide: docs/accounts.md#facebook"),
    "instagram": N_("Step-by-step guide: docs/accounts.md#instagram"),
    "instagram-login": N_("Step-by-step guide: docs/accounts.md#instagram-login"),
    "x": N_("Step-by-step guide: docs/accounts.md#x"),
}


def epilog(section: str) -> str:
    """The `--help` epilog of the command that the section explains (untranslated: the
    help translates it when shown)."""
    return GUIDES[section]


def line(section: str) -> str:
    """The line with the link to the section, in the language spoken now."""
    return _(GUIDES[section])


def show(section: str, as_json: bool = False) -> None:
    """Print the line after the command's own words (not with --json: it is no data)."""
    if not as_json:
        click.echo(line(section))
