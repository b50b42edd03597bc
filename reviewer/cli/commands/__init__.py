"""One module per command (a group and its subcommands share one), each imported only when its
command runs; `reviewer.cli.root.COMMANDS` names them."""
