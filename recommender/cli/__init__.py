"""The command line (``python -m recommender …``): one module per command, each with
``add_cli(subparsers)`` that adds its sub-parser and sets ``func`` to a callable taking the parsed
arguments and returning an exit code. Like the app, it sits above every other layer."""

__all__: list[str] = []
