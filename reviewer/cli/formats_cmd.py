"""`reviewer formats`: the trajectory formats this installation reads, in detection order, and where
each comes from (built in, or the plugin package that added it).

Defined apart from `reviewer.cli` and registered there (it imports nothing from it).
"""

from __future__ import annotations

import json

import click

from reviewer import formats
from reviewer.textsafe import one_line


@click.command("formats")
@click.option("--json", "as_json", is_flag=True, help="Print {formats: [{name, origin, suffixes}], problems: [...]}.")
def formats_command(as_json: bool) -> None:
    """List the trajectory formats import reads, in detection order, with their origin: built in, or the
    plugin package (entry-point group `reviewer.formats`) that added it. A plugin that cannot be used is
    one line on stderr; the other formats work without it."""
    found = [(f.name, formats.origin(f.name), list(f.suffixes)) for f in formats.formats()]
    problems = formats.problems()
    if as_json:
        rows = [{"name": name, "origin": origin, "suffixes": suffixes} for name, origin, suffixes in found]
        click.echo(json.dumps({"formats": rows, "problems": problems}, ensure_ascii=False, indent=2))
    else:
        width = max(len(name) for name, _, _ in found)
        for name, origin, suffixes in found:
            click.echo(f"{one_line(name):{width}}  {one_line(origin, 300)}  {one_line(' '.join(suffixes), 300)}")
    for problem in problems:
        click.echo(f"error: {one_line(problem, 2000)}", err=True)
