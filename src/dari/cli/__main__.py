"""`python -m dari.cli` runs the `dari` command."""

from dari.cli.main import main

main()
