"""rankcollapse: the front door (claims registry, command line, reports, figures).

The project's layers are the top-level packages ``numeric``, ``theory`` and
``counterexamples`` (the layout the design asks for).  Generic names can clash with
another installed project's modules of the same name; importing ``rankcollapse`` checks
that each of the three is ours (:func:`check_layers`, called by the command and by the
claims registry) and says so in one line if one is shadowed.
"""
__version__ = "0.1.0"

LAYERS = ("numeric", "theory", "counterexamples")


def check_layers() -> None:
    """Raise ImportError (one line) if ``numeric``, ``theory`` or ``counterexamples`` is
    a foreign module that shadows this project's package of the same name."""
    import importlib

    for name in LAYERS:
        mod = importlib.import_module(name)
        if getattr(mod, "__rankcollapse_layer__", None) != name:
            where = getattr(mod, "__file__", None) or "a namespace package"
            raise ImportError(
                f"rankcollapse: the module {name!r} found at {where} is not rankcollapse's "
                f"own package of that name (it shadows it); install rankcollapse in a "
                "virtual environment of its own, or remove the other package")

