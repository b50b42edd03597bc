"""A click group whose commands are imported when they are run, not when the group is built.

The pattern of click's documentation ("lazily loading subcommands"): each command is named by
"module:attribute" and imported on first use, so `reviewer --version` imports no command at all and
`reviewer list` imports only what listing needs. The group's own help lists each command with the
summary given beside its name, so `reviewer --help` imports no command either; a command loaded
gets that summary as its `short_help`, so every listing of it says the same.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import click


@dataclass(frozen=True, slots=True)
class Lazy:
    """Where a command lives ("package.module:attribute") and its one-line summary."""

    target: str
    summary: str


class LazyGroup(click.Group):
    """A group of lazy commands only (`lazy`: name to `Lazy`)."""

    def __init__(self, *args: Any, lazy: Mapping[str, Lazy], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.lazy)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = self.lazy.get(cmd_name)
        if entry is None:
            return None
        module, _, attribute = entry.target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry.target} is not a click command")
        command.short_help = entry.summary
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Every command with its summary, read from the table: no command module is imported."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, self.lazy[name].summary) for name in self.list_commands(ctx)])
