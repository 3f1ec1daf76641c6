#!/usr/bin/env python3
"""Build the course website (``make site``) and check that it works offline.

1. ``sphinx-build`` with the configuration in ``site/conf.py`` (the source directory is the
   repository root: README.md, docs/, the notebooks' stored outputs), in a fresh environment
   (``-E``: every page is read again, so no warning of an earlier build is forgotten), with
   ``-n -W --keep-going``: every broken internal link or reference is reported and fails the
   build. External URLs are not visited (they cannot be reached offline and do not decide
   whether the site works).
2. Every built HTML and CSS file is scanned for resources fetched from another host (a
   ``<script src>``, ``<link href>``, ``<img src>``, ``<iframe src>``, ... or a CSS ``url()`` /
   ``@import`` that starts with ``http://``, ``https://`` or ``//``). Links that a reader follows
   (``<a href>``, such as the Colab badges) are not resources and are allowed.

Usage: ``python scripts/build_site.py [--out _build/site] [--src .]``; exit status 0 when
both steps pass. Open ``_build/site/index.html`` in a browser.
"""

from __future__ import annotations

import argparse
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Attributes through which a page loads something (not links a reader follows).
_RESOURCE_ATTRS = {
    "script": ("src",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "audio": ("src",),
    "video": ("src", "poster"),
    "track": ("src",),
    "input": ("src",),
}
_REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
_CSS_REMOTE = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:https?:)?//[^'")\s]+)""", re.IGNORECASE)
#: <link rel=...> values that make the browser fetch the href (a plain rel="canonical" does not).
_FETCHING_RELS = {"stylesheet", "icon", "shortcut", "preload", "prefetch", "modulepreload",
                  "preconnect", "dns-prefetch", "manifest", "apple-touch-icon"}


_CANDIDATES = re.compile(
    r"<(?:%s|link)\b[^>]*>|<style\b.*?</style>|<[a-zA-Z][\w-]*\s[^>]*\bstyle\s*=[^>]*>"
    % "|".join(_RESOURCE_ATTRS), re.IGNORECASE | re.DOTALL)


class _ResourceFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v or "") for k, v in attrs}
        urls = [attrs[a] for a in _RESOURCE_ATTRS.get(tag, ()) if a in attrs]
        if tag == "link" and _FETCHING_RELS & set(attrs.get("rel", "").lower().split()):
            urls.append(attrs.get("href", ""))
        for url in urls:
            for part in url.split(","):          # srcset: "url 1x, url 2x"
                part = part.strip().split(" ")[0]
                if _REMOTE.match(part):
                    self.found.append(f"<{tag}> {part}")
        if "style" in attrs:
            self.found += [f"<{tag} style> {u}" for u in _CSS_REMOTE.findall(attrs["style"])]
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.found += [f"<style> {u}" for u in _CSS_REMOTE.findall(data)]


def external_resources(html: str) -> list[str]:
    """Every resource that ``html`` makes a browser fetch from another host, as
    ``"<tag> url"`` strings (empty when the page loads only local files)."""
    finder = _ResourceFinder()
    for tag in _CANDIDATES.findall(html):    # only the tags that can load something, each on its own
        finder.feed(tag)                     # (a <script> start tag alone would swallow the rest)
        finder.close()
        finder.reset()
    return finder.found


def external_resources_css(css: str) -> list[str]:
    """The remote ``url()`` and ``@import`` targets of a stylesheet."""
    return [f"css {u}" for u in _CSS_REMOTE.findall(css)]


def check_offline(site: Path) -> list[str]:
    """``"file: resource"`` for every remote resource in the built site's HTML and CSS."""
    problems = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            found = external_resources(path.read_text(encoding="utf-8", errors="replace"))
        elif path.suffix == ".css":
            found = external_resources_css(path.read_text(encoding="utf-8", errors="replace"))
        else:
            continue
        problems += [f"{path.relative_to(site)}: {item}" for item in found]
    return problems


def build(out: Path, src: Path = ROOT, quiet: bool = True) -> int:
    """Build the site into ``out`` and check it; print what failed; return an exit status."""
    src, out = Path(src).resolve(), Path(out).resolve()
    conf = src / "site"
    if not (conf / "conf.py").is_file():
        print(f"build_site: no site/conf.py under {src}: run this from the course's repository.")
        return 2
    args = ["-b", "html", "-c", str(conf), "-E", "-n", "-W", "--keep-going",
            "-d", str(out / ".doctrees"), str(src), str(out)]
    if quiet:
        args.insert(0, "-q")
    try:
        from sphinx.cmd.build import build_main  # imported here: the offline checker alone needs no Sphinx
    except ImportError:
        print("build_site: Sphinx is not installed in this environment. `make site` installs it "
              "(requirements-site.txt); by hand: pip install -r requirements.txt -r requirements-site.txt")
        return 2
    rc = build_main(args)
    if rc:
        print(f"build_site: sphinx-build failed (exit {rc}): fix the warnings above "
              "(a broken link or reference names its file and line).")
    if not (out / "index.html").is_file():
        return rc or 1
    problems = check_offline(out)
    if problems:
        print(f"build_site: {len(problems)} resource(s) would be fetched from another host, so the site "
              "would not work offline; vendor them under site/_static/ instead:")
        print("\n".join(f"  {p}" for p in problems))
        rc = rc or 1
    if rc == 0:
        print(f"The course website is in {out}/: open {out / 'index.html'} in a browser.")
    return rc


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="_build/site", help="output folder (default: _build/site)")
    parser.add_argument("--src", default=str(ROOT), help="the repository's root (default: this one)")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's progress")
    args = parser.parse_args(argv)
    return build(Path(args.out), Path(args.src), quiet=not args.verbose)


if __name__ == "__main__":
    sys.exit(main())
