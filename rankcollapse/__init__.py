"""rankcollapse: the front door (claims registry, command line, reports, figures)."""
__version__ = "0.1.0"
