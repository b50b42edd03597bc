"""`reviewer formats`: the trajectory formats this installation reads, in detection order, and where
each comes from (built in, or the plugin package that added it)."""

from __future__ import annotations

import click

from reviewer import formats
from reviewer.cli.options import json_option
from reviewer.cli.output import echo_json, echo_problem
from reviewer.textsafe import one_line


@click.command("formats")
@json_option("Print {formats: [{name, origin, suffixes}], problems: [...]}.")
def formats_command(as_json: bool) -> None:
    """List the trajectory formats import reads, in detection order, with their origin: built in, or the
    plugin package (entry-point group `reviewer.formats`) that added it. A plugin that cannot be used is
    one line on stderr; the other formats work without it."""
    found = [(f.name, formats.origin(f.name), list(f.suffixes)) for f in formats.formats()]
    problems = formats.problems()
    if as_json:
        echo_json(
            {
                "formats": [{"name": name, "origin": origin, "suffixes": suffixes} for name, origin, suffixes in found],
                "problems": problems,
            }
        )
    else:
        width = max(len(name) for name, _, _ in found)
        for name, origin, suffixes in found:
            click.echo(f"{one_line(name):{width}}  {one_line(origin, 300)}  {one_line(' '.join(suffixes), 300)}")
    for problem in problems:
        echo_problem("error", problem)
