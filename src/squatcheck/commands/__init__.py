"""One module per ``squatcheck`` subcommand: thin layers over the library."""
