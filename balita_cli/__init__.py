"""balita: a command-line publishing toolkit for a news site."""

__version__ = "0.1.0"
