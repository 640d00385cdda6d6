"""The `aftercare` command line: admin, chat, index, run and serve."""
