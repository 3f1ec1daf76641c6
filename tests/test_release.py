"""scripts/release.py: every setup cell and Colab badge names the release in pyproject.toml, and the
release script rewrites exactly those references and refuses a bad version."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gan_lib
from gan_lib.core import config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import release  # noqa: E402

NOTEBOOKS = sorted(ROOT.glob("notebooks/[0-9]*.ipynb")) + sorted(ROOT.glob("student/[0-9]*.ipynb"))


def test_the_version_is_one_and_the_same():
    assert release.current_version() == gan_lib.__version__
    assert config.REPO_REF == f"v{gan_lib.__version__}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_setup_cell_and_badge_name_the_release(path):
    nb = json.loads(path.read_text())
    text = "".join("".join(c["source"]) for c in nb["cells"])
    tag = f"v{release.current_version()}"
    installs = re.findall(r"git\+https://github\.com/[\w.\-]+/[\w.\-]+\.git@([\w.\-]+)", text)
    badges = re.findall(r"colab\.research\.google\.com/github/[\w.\-]+/[\w.\-]+/blob/([\w.\-]+)/", text)
    assert installs == [tag], f"{path.name}: the setup cell installs {installs}, not the release {tag}"
    assert badges and set(badges) == {tag}, f"{path.name}: its Colab badge opens {badges}, not {tag}"


def test_rewrite_changes_only_the_references(tmp_path):
    for rel in ("notebooks/01_the_gan_game.ipynb", "student/02_vanilla_gan_mnist.ipynb", "gan_lib/core/config.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    (tmp_path / "README.md").write_text("no link here\n")
    before = (tmp_path / "notebooks/01_the_gan_game.ipynb").read_text().splitlines()
    changed = release.rewrite_refs(tmp_path, "v9.9.9")
    assert sorted(p.name for p in changed) == ["01_the_gan_game.ipynb", "02_vanilla_gan_mnist.ipynb"]
    after = (tmp_path / "notebooks/01_the_gan_game.ipynb").read_text().splitlines()
    diff = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(diff) == 2  # the badge line and the install line
    assert all("v9.9.9" in b and "v9.9.9" not in a for a, b in diff)
    assert release.rewrite_refs(tmp_path, "v9.9.9") == []  # nothing left to change


def test_set_version_writes_both_files(tmp_path):
    (tmp_path / "gan_lib").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "gan_lib"\nversion = "0.1.0"\n')
    (tmp_path / "gan_lib" / "__init__.py").write_text('x = 1\n__version__ = "0.1.0"\n')
    release.set_version(tmp_path, "0.2.0")
    assert release.current_version(tmp_path) == "0.2.0"
    assert '__version__ = "0.2.0"' in (tmp_path / "gan_lib" / "__init__.py").read_text()


@pytest.mark.parametrize("version, message", [
    ("1.2", "give MAJOR.MINOR.PATCH, e.g. 0.2.0"),
    ("v0.2.0", "give MAJOR.MINOR.PATCH"),
    ("0.1.0", "is not later than the current version 0.1.0"),
    ("0.0.9", "is not later than"),
])
def test_a_bad_version_is_refused_in_one_line(version, message):
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "release.py"), version],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode != 0
    err = r.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: ") and message in err, err
