#!/usr/bin/env python3
"""Write gan_lib/assets/committed_runs.json: every committed file under runs/, by lesson folder.

An installed gan_lib (Colab's ``%pip install``) has no ``runs/``; it fetches a lesson's committed
results by this list (:func:`gan_lib.core.config.committed_folder`). Run it after a ``make lessonNN``
changes what is committed; ``tests/test_config.py`` fails while the list and ``git ls-files runs/`` differ.

    python scripts/make_manifest.py
"""

import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def manifest() -> dict:
    """``{"runs/<lesson>": [file names relative to it, sorted]}`` from ``git ls-files runs/``."""
    files = subprocess.run(["git", "ls-files", "runs/"], cwd=ROOT, check=True, capture_output=True,
                           text=True).stdout.split()
    out: dict = {}
    for f in sorted(files):
        parts = f.split("/")
        out.setdefault("/".join(parts[:2]), []).append("/".join(parts[2:]))
    return out


if __name__ == "__main__":
    path = ROOT / "gan_lib" / "assets" / "committed_runs.json"
    path.write_text(json.dumps(manifest(), indent=1) + "\n")
    print(f"wrote {path.relative_to(ROOT)}: {sum(len(v) for v in manifest().values())} files")
