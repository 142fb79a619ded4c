"""The service layer: takes a session, returns models or records, raises BalitaError.

Services never print and never import typer, rich or the CLI.
"""
