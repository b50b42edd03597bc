"""reviewer: review AI coding-agent trajectories and label the ones that cheat.

The core (model, formats, store, taxonomy, importer) never imports Qt; `reviewer.gui` is a thin
layer over it and `reviewer.cli` another.
"""

__version__ = "0.1.0"  # the one place: pyproject.toml reads it (dynamic version), `reviewer --version` prints it
