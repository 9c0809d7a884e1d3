"""One module per `densan` subcommand."""
