"""Allow ``python -m balita_cli``."""

from balita_cli.launcher import main

main()
