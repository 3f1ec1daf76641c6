"""docs/coverage.md: every idea of the source articles names where the course teaches it.

The table's rows are ``| # | idea | articles | taught in | section |``. "taught in" is a
notebook file name in backticks (``NN_name.ipynb``) or ``not taught``; "section" is a
markdown heading of that notebook, verbatim without its ``#`` marks, or, when not
taught, the reason. No row is skipped: every notebook and heading named must exist.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
COVERAGE = ROOT / "docs" / "coverage.md"
NOTEBOOKS = ROOT / "notebooks"
NOT_TAUGHT = "not taught"

#: What the issue (#10) requires the table to hold: each pattern must match some row's idea text.
REQUIRED = {
    "art forger / critic": r"forger", "minimax objective": r"minimax", "Nash equilibrium": r"Nash",
    "gradient descent and the equilibrium": r"gradient descent", "optimal discriminator": r"optimal discriminator",
    "Jensen-Shannon": r"Jensen", "non-saturating loss": r"non-saturating", "diminishing gradients": r"diminishing",
    "mode collapse": r"mode collapse", "oscillation between modes": r"oscillation",
    "non-convergence": r"non-convergence",
    "uniform vs Gaussian latents": r"uniform.*Gaussian", "DCGAN tricks": r"DCGAN tricks",
    **{f"article 002 practice {k}": rf"A2 practice {k}\b" for k in range(1, 9)},
    "ganhacks": r"ganhacks", "label smoothing": r"label smoothing", "feature matching": r"feature matching",
    "conditioning on labels": r"conditioning on labels", "spectral normalisation": r"spectral normali[sz]ation",
    "WGAN critic": r"WGAN.*critic", "Lipschitz": r"Lipschitz",
    "clipping vs gradient penalty": r"clipping.*gradient penalty",
    "SAGAN self-attention": r"SAGAN.*self-attention", "BigGAN scaling": r"BigGAN.*scal", "truncation": r"truncation",
    "StyleGAN": r"StyleGAN", "CycleGAN cycle consistency": r"CycleGAN.*cycle-consistency", "latent interpolation":
    r"interpolation", "checkpoints and resuming": r"Checkpoints.*resuming", "applications": r"Applications",
    "limits": r"Limits", "memorisation": r"Memorisation", "ethics": r"deepfakes",
}


def parse_rows(text: str) -> list[dict]:
    """The table rows of coverage.md as dicts (number, idea, articles, lesson, section)."""
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\|\s*(\d+)\s*\|(.*)\|\s*$", line)
        if not m:
            continue
        cells = [c.strip() for c in m.group(2).split("|")]
        assert len(cells) == 4, f"coverage.md row {m.group(1)} has {len(cells) + 1} columns, expected 5: {line}"
        idea, articles, lesson, section = cells
        rows.append(dict(number=int(m.group(1)), idea=idea, articles=articles, lesson=lesson.strip("`"),
                         section=section))
    return rows


def headings(path: Path) -> set[str]:
    """The markdown headings (any level) of a notebook, without their ``#`` marks."""
    nb = nbformat.read(path, as_version=4)
    out = set()
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                m = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
                if m:
                    out.add(m.group(1))
    return out


def check_row(row: dict, notebooks: Path = NOTEBOOKS) -> None:
    """Raise AssertionError if the row names something that does not exist."""
    where = f"coverage.md row {row['number']} ({row['idea'][:50]}...)"
    lesson, section = row["lesson"], row["section"]
    if lesson == NOT_TAUGHT:
        assert len(section) >= 40, f"{where}: 'not taught' needs a reason in the section column, got {section!r}"
        return None
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", lesson), \
        f"{where}: 'taught in' must be a notebook file name like `03_dcgan_mnist.ipynb` or 'not taught', got {lesson!r}"
    path = notebooks / lesson
    assert path.exists(), f"{where}: notebooks/{lesson} does not exist"
    found = headings(path)
    assert section in found, (f"{where}: {lesson} has no heading {section!r}. Its headings: "
                              + "; ".join(sorted(found)))


ROWS = parse_rows(COVERAGE.read_text(encoding="utf-8"))


def test_table_is_numbered_and_has_every_required_topic():
    assert [r["number"] for r in ROWS] == list(range(1, len(ROWS) + 1)), "rows must be numbered 1, 2, 3, ..."
    assert len(ROWS) >= 40
    missing = [name for name, pattern in REQUIRED.items()
               if not any(re.search(pattern, r["idea"], re.I) for r in ROWS)]
    assert not missing, f"coverage.md has no row for: {', '.join(missing)}"


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"row{r['number']:02d}")
def test_every_named_lesson_and_section_exists(row):
    check_row(row)


# --------------------------------------------------------------------------- the checks catch what they should


def _fake_notebook(folder: Path, name: str, heading: str):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# Title\n\n## {heading}\n\ntext")])
    nbformat.write(nb, folder / name)


@pytest.mark.parametrize("row,message", [
    (dict(lesson="01_x.ipynb", section="2. Missing"), "has no heading '2. Missing'"),
    (dict(lesson="02_absent.ipynb", section="1. Anything"), "does not exist"),
    (dict(lesson="01_x.ipynb", section="(see lesson)"), "has no heading '(see lesson)'"),
    (dict(lesson="lesson one", section="1. Real"), "must be a notebook file name"),
    (dict(lesson=NOT_TAUGHT, section="because"), "needs a reason"),
])
def test_check_row_catches_bad_rows(tmp_path, row, message):
    _fake_notebook(tmp_path, "01_x.ipynb", "1. Real")
    with pytest.raises(AssertionError, match=re.escape(message)):
        check_row(dict(number=99, idea="an idea", articles="A0", **row), notebooks=tmp_path)


def test_check_row_accepts_good_rows(tmp_path):
    _fake_notebook(tmp_path, "01_x.ipynb", "1. Real")
    good = dict(number=1, idea="an idea", articles="A0")
    check_row(dict(good, lesson="01_x.ipynb", section="1. Real"), notebooks=tmp_path)
    check_row(dict(good, lesson=NOT_TAUGHT, section="x" * 40), notebooks=tmp_path)
    with pytest.raises(AssertionError, match="has no heading"):
        check_row(dict(good, lesson="01_x.ipynb", section="1. real"), notebooks=tmp_path)


def test_parse_rows_reads_a_table_row():
    rows = parse_rows("| # | a | b | c | d |\n|---|---|---|---|---|\n| 3 | idea | A1 | `01_x.ipynb` | 1. Real |\n")
    assert rows == [dict(number=3, idea="idea", articles="A1", lesson="01_x.ipynb", section="1. Real")]
