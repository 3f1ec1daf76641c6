#!/usr/bin/env python3
"""Make a release of the course (``make release VERSION=0.2.0``).

A notebook opened in Colab installs ``gan_lib`` from GitHub at a release tag, never at a moving
``main`` (:data:`gan_lib.core.config.REPO_REF`), and its "Open in Colab" badge opens the same
tag, so a student always gets a notebook and the library it was written for. This script:

1. checks ``VERSION`` (``MAJOR.MINOR.PATCH``, later than the current one) and that the working
   tree has no uncommitted changes;
2. writes it into ``pyproject.toml`` and ``gan_lib/__init__.py`` (``__version__``);
3. rewrites every tag reference (``git+https://github.com/<slug>.git@v...`` and
   ``colab.research.google.com/github/<slug>/blob/v.../``) in the notebooks, the student
   versions, the README and docs/ to ``vVERSION`` (nothing else in them changes);
4. commits ("Release vVERSION") and tags ``vVERSION``. Push with ``git push --follow-tags``.

``python scripts/release.py --rewrite`` only does step 3 for the current version (after
adding a notebook, say).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
#: Files whose tag references follow the release.
GLOBS = ("notebooks/[0-9]*.ipynb", "student/[0-9]*.ipynb", "README.md", "docs/*.md")


def current_version(root: Path = ROOT) -> str:
    """The version in ``pyproject.toml``."""
    m = re.search(r'^version = "([^"]+)"', (root / "pyproject.toml").read_text(), re.M)
    if not m:
        raise SystemExit(f"error: no version = \"...\" line in {root / 'pyproject.toml'}.")
    return m.group(1)


def _slug(root: Path) -> str:
    m = re.search(r'^REPO_SLUG = "([^"]+)"', (root / "gan_lib" / "core" / "config.py").read_text(), re.M)
    return m.group(1)


def rewrite_refs(root: Path, ref: str) -> list:
    """Point every install line and Colab link of the course's repository at ``ref``; return the changed files."""
    slug = re.escape(_slug(root))
    patterns = [(re.compile(rf"(git\+https://github\.com/{slug}\.git@)[\w.\-]+"), rf"\g<1>{ref}"),
                (re.compile(rf"(colab\.research\.google\.com/github/{slug}/blob/)[\w.\-]+/"), rf"\g<1>{ref}/")]
    changed = []
    for pattern in GLOBS:
        for path in sorted(root.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            new = text
            for rx, repl in patterns:
                new = rx.sub(repl, new)
            if new != text:
                path.write_text(new, encoding="utf-8")
                changed.append(path)
    return changed


def set_version(root: Path, version: str) -> None:
    """Write ``version`` into pyproject.toml and gan_lib/__init__.py."""
    for path, rx, line in ((root / "pyproject.toml", r'^version = "[^"]+"', f'version = "{version}"'),
                           (root / "gan_lib" / "__init__.py", r'^__version__ = "[^"]+"', f'__version__ = "{version}"')):
        text = path.read_text(encoding="utf-8")
        new, n = re.subn(rx, line, text, count=1, flags=re.M)
        if n != 1:
            raise SystemExit(f"error: no version line to update in {path}.")
        path.write_text(new, encoding="utf-8")


def check_version(version: str, current: str) -> None:
    """Refuse (SystemExit with one line) a version that is not MAJOR.MINOR.PATCH or not later than ``current``."""
    m, c = VERSION.match(version), VERSION.match(current)
    if not m:
        raise SystemExit(f"error: VERSION={version!r}: give MAJOR.MINOR.PATCH, e.g. 0.2.0.")
    if c and tuple(map(int, m.groups())) <= tuple(map(int, c.groups())):
        raise SystemExit(f"error: VERSION={version} is not later than the current version {current}.")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("version", nargs="?", help="the new version, MAJOR.MINOR.PATCH")
    p.add_argument("--rewrite", action="store_true", help="only point every reference at the current version's tag")
    a = p.parse_args(argv)
    if a.rewrite:
        changed = rewrite_refs(ROOT, f"v{current_version()}")
        print(f"v{current_version()}: rewrote {len(changed)} file(s)")
        return 0
    if not a.version:
        p.error("give VERSION (e.g. make release VERSION=0.2.0), or --rewrite")
    check_version(a.version, current_version())
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    if dirty.strip():
        raise SystemExit("error: the working tree has uncommitted changes; commit or stash them first.")
    set_version(ROOT, a.version)
    changed = rewrite_refs(ROOT, f"v{a.version}")
    subprocess.run(["git", "commit", "-qam", f"Release v{a.version}"], cwd=ROOT, check=True)
    subprocess.run(["git", "tag", f"v{a.version}"], cwd=ROOT, check=True)
    print(f"Released v{a.version}: {len(changed)} file(s) rewritten, committed, tagged. "
          "Push with: git push --follow-tags")
    return 0


if __name__ == "__main__":
    sys.exit(main())
