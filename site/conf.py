"""Sphinx configuration of the course website (``make site`` -> _build/site/).

The site is built from the repository as it is: the source directory is the repository's
root (``sphinx-build -c site . _build/site``), so the README's and docs' relative links
(``notebooks/01_the_gan_game.ipynb``, ``../README.md``) resolve to the pages they name
without rewriting any file. Only ``README.md`` (the home page), ``docs/*.md``,
``data/README.md``, ``benchmarks/results/*.md`` and ``notebooks/NN_*.ipynb`` are read.

Notebooks are rendered from their STORED outputs (``nb_execution_mode = "off"``): the site
shows the full-mode run that the lesson's prose quotes, and building it trains nothing.

Everything a page needs ships with the build (it works offline, opened as a file):
the Furo theme's own CSS and JS, and MathJax 3 from ``site/_static/mathjax/`` (the npm
package's single-file ``tex-svg-full.js``, Apache-2.0, whose SVG output needs no web fonts).
The notebooks' "Open in Colab" badge image lives on colab.research.google.com; the
``course_site`` hook below swaps it for ``site/_static/colab-badge.svg`` and keeps the link,
so each lesson page still opens in Colab at the release tag the badge names.
``tests/test_site.py`` checks that no page loads anything from another host.
"""

from __future__ import annotations

import re
from pathlib import Path

SITE = Path(__file__).resolve().parent
ROOT = SITE.parent
# The version without importing gan_lib (which imports TensorFlow): the line scripts/release.py bumps.
__version__ = re.search(r'^__version__ = "([^"]+)"', (ROOT / "gan_lib" / "__init__.py").read_text(),
                        re.MULTILINE).group(1)

project = "GAN course"
author = "The GAN course's authors"
copyright = "the GAN course's authors (code MIT, content CC BY 4.0: see LICENSE and LICENSE-content)"  # noqa: A001
release = version = __version__

extensions = ["myst_nb", "sphinx.ext.mathjax"]

# The home page is the README; index.html redirects to it (templates/index-redirect.html).
root_doc = "README"
include_patterns = [
    "README.md",
    "docs/*.md",
    "data/README.md",
    "benchmarks/results/*.md",
    "notebooks/[0-9][0-9]_*.ipynb",
]
exclude_patterns = [
    ".venv", ".git", "_build", "runs", "student", "gan_lib", "tests", "site", "scripts",
    "build", "grades", "**/.ipynb_checkpoints",
]
templates_path = [str(SITE / "templates")]
html_additional_pages = {"index": "index-redirect.html"}

# --- notebooks and Markdown -------------------------------------------------------------
nb_execution_mode = "off"             # never re-execute: the stored full-mode outputs are the page
nb_ipywidgets_js = {}                 # no widget manager from a CDN (a stored widget shows its fallback)
nb_merge_streams = True               # one block per cell for print() output
myst_enable_extensions = ["dollarmath", "amsmath", "html_image", "colon_fence"]
myst_heading_anchors = 3              # the README's and docs' #section links resolve
myst_url_schemes = ["http", "https", "mailto"]

# --- maths: the vendored MathJax, nothing from a CDN -------------------------------------
mathjax_path = "mathjax/tex-svg-full.js"   # relative paths are relative to _static/
mathjax3_config = {
    # The context menu loads accessibility modules on demand; they are not vendored.
    "options": {"enableMenu": False},
    "svg": {"fontCache": "global"},
}

# --- HTML --------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"GAN course {version}"
html_static_path = [str(SITE / "_static")]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
# Search works from disk too: the results list needs only searchindex.js; the snippets under each
# result would be fetched from the pages, which a browser refuses for file:// (a console error).
html_show_search_summary = False

# Every internal reference must resolve (make site runs with -n -W --keep-going).
nitpicky = True

_COLAB_BADGE = "https://colab.research.google.com/assets/colab-badge.svg"


def _local_colab_badge_transform():
    """A transform that swaps the notebooks' Colab badge image (hosted by Google) for the
    vendored copy before Sphinx collects the page's images; the badge's link is kept."""
    from docutils import nodes
    from sphinx.transforms import SphinxTransform

    class LocalColabBadge(SphinxTransform):
        default_priority = 100

        def apply(self, **kwargs):
            for image in self.document.findall(nodes.image):
                if image.get("uri") == _COLAB_BADGE:
                    image["uri"] = "/site/_static/colab-badge.svg"   # "/" = the source directory

    return LocalColabBadge


def _student_download_transform():
    """A transform that turns links to the student notebooks (``student/NN_*.ipynb``, not pages
    of the site) into downloads of those notebooks, so a student can fetch one from the site."""
    from sphinx import addnodes
    from sphinx.transforms import SphinxTransform

    class StudentNotebookDownload(SphinxTransform):
        default_priority = 100

        def apply(self, **kwargs):
            for ref in list(self.document.findall(addnodes.pending_xref)):
                target = ref.get("reftarget", "")
                if (ref.get("refdomain"), ref.get("reftype")) == ("doc", "myst") and target.startswith("student/"):
                    path = ROOT / f"{target}.ipynb"
                    if path.is_file():
                        download = addnodes.download_reference(
                            "", "", *ref.children, reftarget=f"/{target}.ipynb",
                            refdoc=ref.get("refdoc"), refexplicit=True)
                        ref.replace_self(download)

    return StudentNotebookDownload


def _add_navigation(app, docname, source):
    """Give the home page (the README) the site's table of contents, hidden from its text."""
    if docname != root_doc:
        return
    lessons = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    # The guides in this order, then any other page under docs/ (a new one gets a place by itself).
    first = ["docs/instructors", "docs/results", "docs/coverage", "docs/conventions",
             "docs/architecture", "docs/reliability"]
    others = sorted(f"docs/{p.stem}" for p in (ROOT / "docs").glob("*.md") if f"docs/{p.stem}" not in first)
    results = sorted(f"benchmarks/results/{p.stem}" for p in (ROOT / "benchmarks" / "results").glob("*.md"))
    tail = ["data/README", *results]
    guides = [g for g in first + others + tail if (ROOT / f"{g}.md").is_file()]
    toc = "\n\n```{toctree}\n:hidden:\n:caption: Lessons\n\n"
    toc += "\n".join(f"notebooks/{stem}" for stem in lessons)
    toc += "\n```\n"
    if guides:
        toc += "\n```{toctree}\n:hidden:\n:caption: Guides and results\n\n" + "\n".join(guides) + "\n```\n"
    source[0] += toc


def setup(app):
    app.connect("source-read", _add_navigation)
    app.add_transform(_local_colab_badge_transform())
    app.add_transform(_student_download_transform())
    return {"parallel_read_safe": True}
