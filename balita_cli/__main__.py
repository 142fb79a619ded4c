"""Allow ``python -m balita_cli``."""

from balita_cli.cli import main

main()
