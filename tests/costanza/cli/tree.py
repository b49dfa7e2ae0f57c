"""Every command of the `costanza` tree, for the tests that walk it."""

from __future__ import annotations

from collections.abc import Iterator

import click


def commands(command: click.Command, path: tuple[str, ...] = ()
             ) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """The path and command of every command a person can call or ask help for (groups
    and leaves, hidden ones aside), the root first."""
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from commands(sub, (*path, name))
