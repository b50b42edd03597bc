"""The `reviewer` command line: a thin click layer over the store, importer, taxonomy and reports.

`root` holds the group and the table of commands (each imported only when run, so the command
answers at once), `options` the options commands share, `project` how a command opens its project,
`output` how it prints, `commands/` one module per command. Exit codes: 0 success, 1 something
failed (bad input, unknown id, refused label), 2 usage error; `--json` output goes to stdout,
progress and errors to stderr.
"""

from reviewer.cli.root import main

__all__ = ["main"]
