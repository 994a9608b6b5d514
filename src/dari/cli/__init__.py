"""The `dari` command line."""
