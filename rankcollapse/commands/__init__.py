"""Subcommands.  Each module defines ``NAME``, ``HELP``, ``configure(parser)`` and
``run(args) -> int``; :mod:`rankcollapse.cli` discovers them."""
