"""Sphinx configuration of the balanced_scorecard documentation.

Build with warnings as errors::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

No extension here needs the network: intersphinx is deliberately left out, so references to
pandas, numpy or networkx objects render as plain text instead of links.
"""

from __future__ import annotations

import re

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
    "deflist",  # definition lists: CLI options, methods, dependencies
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
# The constructor's signature goes on the class line: attrs generates ``__init__`` without a
# docstring, and the class docstring documents the fields.
autodoc_class_signature = "mixed"
autodoc_default_options = {"members": True}
# Long numpy typing unions read badly in a signature; show the alias names as written.
autodoc_type_aliases = {
    "npt.ArrayLike": "ArrayLike",
    "ArrayLike": "ArrayLike",
    "FloatArray": "FloatArray",
    "IntArray": "IntArray",
    "BoolArray": "BoolArray",
    "_Floats": "FloatArray",
    "_Bools": "BoolArray",
}

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


def _long_defaults() -> dict[str, str]:
    """Signature text of long default values, mapped to the name of the constant they are."""
    from sphinx.util.inspect import object_description

    from balanced_scorecard.algorithms.scoring import DEFAULT_STATUS_BOUNDS

    constants = {
        "DEFAULT_PERSPECTIVES": balanced_scorecard.DEFAULT_PERSPECTIVES,
        "DEFAULT_STATUS_BANDS": balanced_scorecard.DEFAULT_STATUS_BANDS,
        "DEFAULT_STATUS_BOUNDS": DEFAULT_STATUS_BOUNDS,
    }
    return {object_description(value): name for name, value in constants.items()}


# A forward reference inside a union (``npt.ArrayLike | None``) is printed as its repr, and a
# fully qualified name keeps a leading ``~``; both are noise in a signature.
_FORWARD_REF = re.compile(r"TypeAliasForwardRef\('([^']*)'\)")
_QUALIFIED = re.compile(r"~(?:[A-Za-z_][\w]*\.)+([A-Za-z_]\w*)")


def _tidy_signature(app, what, name, obj, options, signature, return_annotation):
    """Make generated signatures readable.

    * attrs classes with a ``factory=`` default report the ``NOTHING`` sentinel as the default
      of their generated ``__init__``; show ``<factory>`` as dataclasses do.
    * Long default values that are library constants are shown by the constant's name.
    * Type aliases stay aliases (see ``autodoc_type_aliases``).
    """
    out = []
    for text in (signature, return_annotation):
        if text:
            text = text.replace("=NOTHING", "=<factory>").replace("= NOTHING", "= <factory>")
            for long, short in _LONG_DEFAULTS.items():
                text = text.replace(long, short)
            text = _FORWARD_REF.sub(r"\1", text)
            text = _QUALIFIED.sub(r"\1", text)
        out.append(text)
    return out[0], out[1]


_LONG_DEFAULTS = _long_defaults()

_SECTION_TITLES = {"Examples", "Notes", "See Also", "References", "Warnings"}


def _module_sections_as_rubrics(app, what, name, obj, options, lines):
    """Render the numpydoc section headings of *module* docstrings as rubrics.

    numpydoc leaves module docstrings alone, so an ``Examples`` heading in one becomes a real
    section with the target name "examples"; two such modules then clash ("duplicate label
    examples"). A rubric looks the same and defines no target.
    """
    if what != "module":
        return
    for i in range(len(lines) - 1):
        title, underline = lines[i].strip(), lines[i + 1].strip()
        if title in _SECTION_TITLES and len(underline) >= 3 and set(underline) == {"-"}:
            lines[i], lines[i + 1] = f".. rubric:: {title}", ""


def setup(app):
    app.connect("autodoc-process-signature", _tidy_signature)
    # Before numpydoc (priority 500) sees the docstring.
    app.connect("autodoc-process-docstring", _module_sections_as_rubrics, priority=400)
