"""docs/architecture.md's package map lists every module of gan_lib, and only modules that exist.

The map is how a reader finds a concept; a split or a new module that is not on it
sends them to the wrong file (or to none), so the map is checked against the tree.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAP = ROOT / "docs" / "architecture.md"


def mapped_modules() -> list[str]:
    """The module paths (relative to gan_lib/) in the first column of the map's tables."""
    return re.findall(r"^\| `([\w/]+\.py)` \|", MAP.read_text(), flags=re.M)


def test_every_module_has_one_line_in_the_map():
    modules = sorted(str(p.relative_to(ROOT / "gan_lib")) for p in (ROOT / "gan_lib").rglob("*.py"))
    mapped = mapped_modules()
    assert [m for m in modules if m not in mapped] == [], "modules missing from docs/architecture.md's map"
    assert sorted(set(mapped)) == sorted(mapped), "a module has more than one line in the map"


def test_the_map_names_no_missing_module():
    gone = [m for m in mapped_modules() if not (ROOT / "gan_lib" / m).is_file()]
    assert gone == [], "docs/architecture.md's map names modules that do not exist"


def test_the_map_is_not_marked_stale():
    assert "being split" not in MAP.read_text()
