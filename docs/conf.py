"""Sphinx configuration of the balanced_scorecard documentation.

Build with warnings as errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

No extension here needs the network: intersphinx is deliberately left out, so references to
pandas, numpy or networkx objects render as plain text instead of links.
"""

from __future__ import annotations

import balanced_scorecard

project = "balanced_scorecard"
author = "balanced_scorecard developers"
copyright = "balanced_scorecard developers"
release = balanced_scorecard.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
language = "en"

# -- MyST -----------------------------------------------------------------------------------
myst_enable_extensions = [
    "colon_fence",  # ::: fences for admonitions
    "deflist",  # definition lists in the glossary-like tables
    "dollarmath",  # $...$ and $$...$$ for the scoring formulas
]
myst_heading_anchors = 3

# -- autodoc --------------------------------------------------------------------------------
autodoc_member_order = "bysource"
# Types go into the signatures: numpydoc turns the docstrings' Parameters sections into its own
# field lists, which autodoc's "description" mode cannot merge into (every parameter would be
# listed twice).
autodoc_typehints = "signature"
autodoc_typehints_format = "short"
# The model classes are attrs classes; their generated ``__init__`` repeats every field, and
# the class docstring already documents the fields.
autodoc_class_signature = "mixed"
autodoc_default_options = {"members": True}
autodoc_preserve_defaults = True

# -- numpydoc -------------------------------------------------------------------------------
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False
numpydoc_attributes_as_param_list = True

# Nobody can fix an unresolved reference to pandas or numpy without intersphinx, so
# reference checking stays lenient.
nitpicky = False

# -- HTML -----------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"balanced_scorecard {release}"
html_static_path: list[str] = []
