#!/usr/bin/env python3
"""Build the course's offline colour image set, ``gan_lib/data/emoji32.npz``, from Noto emoji.

Source: the npm package ``emoji-datasource-google`` (version :data:`VERSION`, MIT licence for the
package; the images are Google's Noto Emoji, Apache License 2.0, flag images public domain or
exempt from copyright; provenance in data/README.md). Every image the package has, base emoji
and skin-tone variants, 64x64 RGBA PNG, is

1. composited over a white background (alpha 0 -> white),
2. shrunk to 32x32 by averaging each 2x2 block (PIL's BOX filter),
3. stored as uint8 RGB with its category (``emoji.json``'s ``category``; the five skin-tone
   swatches of "Component" are left out), name and code point.

The held-out split (20% of the base emoji, drawn with a fixed seed) keeps each base emoji
together with its skin-tone variants, so no held-out image has a recoloured twin in training.

    python3 scripts/make_emoji.py                       # npm pack, then build
    python3 scripts/make_emoji.py --tarball FILE.tgz    # from a tarball you have
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "emoji-datasource-google"
VERSION = "16.0.0"
OUT = ROOT / "gan_lib" / "data" / "emoji32.npz"
HELDOUT_FRACTION = 0.2
SPLIT_SEED = 0
LEFT_OUT = ("Component",)


def _png(tar: tarfile.TarFile, name: str) -> np.ndarray:
    from PIL import Image

    member = tar.extractfile(f"package/img/google/64/{name}")
    if member is None:
        raise SystemExit(f"error: {name} is listed in emoji.json but missing from the tarball.")
    img = Image.open(io.BytesIO(member.read())).convert("RGBA")
    white = Image.new("RGBA", img.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(white, img).convert("RGB").resize((32, 32), Image.BOX)
    return np.asarray(rgb, dtype=np.uint8)


def build(tarball: Path) -> dict:
    """The arrays of emoji32.npz, from the package's tarball."""
    with tarfile.open(tarball) as tar:
        emoji = json.load(tar.extractfile("package/emoji.json"))
        names = set(tar.getnames())
        base = sorted((e for e in emoji if e.get("has_img_google") and e["category"] not in LEFT_OUT),
                      key=lambda e: e["sort_order"])
        categories = sorted({e["category"] for e in base})
        rows = []  # (image file, category, name, group)
        for group, e in enumerate(base):
            rows.append((e["image"], e["category"], e["name"], group))
            for var in (e.get("skin_variations") or {}).values():
                if var.get("has_img_google") and f"package/img/google/64/{var['image']}" in names:
                    rows.append((var["image"], e["category"], e["name"] + " (skin tone)", group))
        images = np.stack([_png(tar, r[0]) for r in rows])
    groups = np.array([r[3] for r in rows], dtype=np.int32)
    held_groups = np.random.default_rng(SPLIT_SEED).permutation(len(base))[:round(HELDOUT_FRACTION * len(base))]
    return {
        "images": images,
        "category": np.array([categories.index(r[1]) for r in rows], dtype=np.int8),
        "categories": np.array(categories),
        "names": np.array([r[2] for r in rows]),
        "files": np.array([r[0] for r in rows]),
        "group": groups,
        "heldout": np.isin(groups, held_groups),
        "source": np.array(f"npm {PACKAGE}@{VERSION} (Noto Emoji, Apache-2.0; flags public domain)"),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--tarball", type=Path, help=f"{PACKAGE}-{VERSION}.tgz (default: fetched with npm pack)")
    p.add_argument("--out", type=Path, default=OUT)
    a = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tarball = a.tarball
        if tarball is None:
            subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=tmp, check=True,
                           stdout=subprocess.DEVNULL)
            tarball = Path(tmp) / f"{PACKAGE}-{VERSION}.tgz"
        if not tarball.is_file():
            print(f"error: {tarball} is not a file.", file=sys.stderr)
            return 2
        digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
        arrays = build(tarball)
    np.savez_compressed(a.out, **arrays)
    counts = np.bincount(arrays["category"], minlength=len(arrays["categories"]))
    print(f"{PACKAGE}-{VERSION}.tgz sha256 {digest}")
    print(f"wrote {a.out}: {len(arrays['images']):,} images ({arrays['heldout'].sum():,} held out) from "
          f"{arrays['group'].max() + 1:,} emoji; sha256 {hashlib.sha256(a.out.read_bytes()).hexdigest()}")
    for name, n in zip(arrays["categories"], counts):
        print(f"  {name:20s} {n:5d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
