"""Every number a lesson's prose quotes comes from that lesson's stored outputs, or says where
it comes from (docs/conventions.md, section "Numbers in the prose").

Which tokens of a markdown cell count as a quoted number:

* a number with a decimal point (``12.3``, ``0.97``, ``1,234.5``),
* a number with a per cent sign (``96%``, ``95.9 %``),
* a number with a unit of time after a space (``181 s``, ``3 min``, ``2 h``, ``40 ms``,
  ``12 seconds``; both ends of a range such as ``3-5 min``; not ``1s``, the plural of a digit).

Not counted: maths (``$...$``, ``$$...$$``), code (```` `...` ```` and fenced blocks), link
targets and URLs, HTML comments, version numbers (``2.21.0``), a heading's leading section
number (``## 3.2 ...``) and numbers right after a word that names a place rather than a
measurement (section, exercise, lesson, table, figure, equation, Python, Keras, ...).

A quoted number matches the stored outputs when some number printed by one of the notebook's
code cells rounds to it at the prose's precision (prose ``12.3`` matches output ``12.34``;
prose ``96%`` also matches an output fraction ``0.962``, and prose ``0.96`` an output ``96.2%``;
a time matches only a printed time, in any unit, or a printed decimal number such as a table's
seconds column: prose ``16.8 minutes`` matches ``1008 s``, prose ``7.9 s`` matches ``7.9``, but
``7.9 min`` does not).
Signs are ignored on both sides (prose ``−1.6`` matches output ``-1.6``).
A number from elsewhere (a paper, another lesson, the README's benchmark, a setting in the
code) is marked in its markdown cell with an HTML comment, which renders invisibly::

    <!-- numbers from elsewhere: 95.9 93.6 — PacGAN paper, Table 1 -->

The text after the dash (``—``, ``--`` or `` - ``) says where they come from and is required;
every marked number must occur in that cell, so a stale mark fails too.
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
UNIT = r"(?:ms|s|min|h|sec|secs|seconds?|minutes?|hours?)"
#: Words after which a number names a place or a version, not a measurement.
PLACE_WORDS = (r"sections?|§|exercises?|lessons?|tables?|fig(?:ure)?s?\.?|eqs?\.?|equations?|chapters?|"
               r"parts?|python|keras|tensorflow|tf|numpy|cuda|version|v|arxiv|practices?|"
               r"A2 practice|ch\.")
QUOTED = re.compile(
    rf"(?<![\w.,])(?P<lo>{NUMBER})\s?[-–]\s?(?P<hi>{NUMBER})[ \u00a0](?P<rangeunit>{UNIT})\b"   # 3-5 min
    rf"|(?<![\w.,])(?P<num>{NUMBER})(?![\d]|\.\d|,\d)(?P<suffix>[ \u00a0]?%|[ \u00a0]{UNIT}\b)?"
)
PLACE_BEFORE = re.compile(rf"(?:^|[\s(\[])(?:{PLACE_WORDS})\s*(?:\d+(?:\.\d+)?\s*(?:,|and|or|-|–)\s*)*$", re.I)
MARK = re.compile(r"<!--\s*numbers from elsewhere:(?P<body>.*?)-->", re.S | re.I)
MARK_SOURCE = re.compile(r"\s(?:—|--|-)\s")
OUTPUT_NUMBER = re.compile(rf"(?<![\w.])(\d+(?:,\d{{3}})*(?:\.\d+)?(?:[eE][-+]?\d+)?)(\s?%|[ \u00a0]?{UNIT}\b)?")
#: Seconds per unit of time.
SECONDS = {"ms": 0.001, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1, "min": 60, "minute": 60,
           "minutes": 60, "h": 3600, "hour": 3600, "hours": 3600}


def _clean(markdown):
    """The prose of a markdown cell with maths, code, links, comments and headings' numbers blanked."""
    text = re.sub(r"<!--.*?-->", " ", markdown, flags=re.S)
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"(?<!\\)\$[^$]+?(?<!\\)\$", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"^(#+\s*)\d+(?:\.\d+)*", r"\1", text, flags=re.M)
    text = re.sub(r"\d+(?:\.\d+){2,}", " ", text)            # versions: 2.21.0
    return text


def _value(token):
    """'1,234.5' -> ('1234.5', 1); the number as a string without commas and its decimals."""
    plain = token.replace(",", "")
    return plain, len(plain.split(".")[1]) if "." in plain else 0


def prose_numbers(markdown):
    """The quoted numbers of one markdown cell: a list of (token as written, value, kind), where kind is
    "%", a unit of time ("s", "min", ...) or "" for a plain decimal number."""
    text = _clean(markdown)
    found = []
    for m in QUOTED.finditer(text):
        plain = m.group("num") and not m.group("suffix")   # only a plain number can be a place
        if plain and PLACE_BEFORE.search(text[:m.start()][-40:]):
            continue
        if m.group("lo"):
            unit = m.group("rangeunit")
            found += [(f"{m.group(k)} {unit}", _value(m.group(k))[0], unit) for k in ("lo", "hi")]
            continue
        num, suffix = m.group("num"), (m.group("suffix") or "").strip()
        if "." in num or suffix:
            found.append((num + (suffix if suffix == "%" else f" {suffix}" if suffix else ""),
                          _value(num)[0], suffix))
    return found


def marks(markdown):
    """The marks of one markdown cell: a list of (values marked, source named)."""
    result = []
    for m in MARK.finditer(markdown):
        parts = MARK_SOURCE.split(m.group("body"), maxsplit=1)
        numbers = [_value(t.rstrip("%"))[0] for t in re.findall(rf"{NUMBER}%?", parts[0])]
        result.append((numbers, parts[1].strip() if len(parts) == 2 else ""))
    return result


def output_numbers(nb):
    """Every number printed by the notebook's code cells: a list of (value, kind), kind as in
    `prose_numbers` (a time's unit is spelled out by the output; "" when it has none)."""
    texts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                texts.append(out["text"])
            if "text/plain" in out.get("data", {}):
                texts.append(out["data"]["text/plain"])
    return [(float(m.group(1).replace(",", "")), (m.group(2) or "").strip())
            for m in OUTPUT_NUMBER.finditer("\n".join(texts))]


def matches(value, kind, outputs):
    """Does some output number round to `value` at its precision? A percentage also matches a
    printed fraction (and a plain decimal a printed percentage); a time matches only a printed
    time, converted to the prose's unit."""
    x, decimals = float(value), _value(value)[1]
    tol = 0.5 * 10 ** -decimals + 1e-9
    for y, y_kind in outputs:
        if kind in SECONDS:   # a printed time, or a decimal in a column of seconds (7.9 under "s/epoch")
            candidates = ([y * SECONDS[y_kind] / SECONDS[kind]] if y_kind in SECONDS
                          else [y] if not y_kind and SECONDS[kind] == 1 and decimals else [])
        elif kind == "%":
            candidates = [y] if y_kind == "%" else [100 * y] if not y_kind else []
        else:
            candidates = [y, y / 100] if y_kind == "%" else [y]
        if any(abs(c - x) <= tol for c in candidates):
            return True
    return False


def problems(nb):
    """What is wrong with a notebook's quoted numbers: a list of messages (empty = all true)."""
    outputs = output_numbers(nb)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        quoted = prose_numbers(cell.source)
        marked = set()
        for numbers, source in marks(cell.source):
            if not source:
                found.append(f"cell {i}: the mark '{' '.join(numbers)}' does not say where the numbers come from "
                             "(write '<!-- numbers from elsewhere: 1.5 2.5 — where they come from -->')")
            for v in numbers:
                if v not in {q[1] for q in quoted}:
                    found.append(f"cell {i}: the marked number {v} does not occur in the cell's prose (stale mark?)")
            marked.update(numbers)
        for token, value, kind in quoted:
            if value not in marked and not matches(value, kind, outputs):
                line = next((ln.strip() for ln in cell.source.splitlines() if token.split()[0] in ln), "")
                found.append(f"cell {i}: '{token}' is in no stored output and not marked as from elsewhere: "
                             f"{line[:160]}")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_quoted_number_is_in_the_outputs_or_marked(path):
    nb = nbformat.read(path, as_version=4)
    found = problems(nb)
    assert not found, f"{path.name}: {len(found)} number(s) in the prose do not match the run:\n" + "\n".join(found)


def test_there_are_lessons_to_check():
    assert [p.name[:2] for p in NOTEBOOKS][:9] == [f"{k:02d}" for k in range(1, 10)]


# ----------------------------------------------------------------------------- the checker itself


def _notebook(markdown, printed):
    out = new_output("stream", name="stdout", text=printed)
    return new_notebook(cells=[new_code_cell("print(...)", outputs=[out]), new_markdown_cell(markdown)])


def test_a_number_from_the_outputs_passes_also_when_rounded():
    nb = _notebook("The FD is 12.3 after 40 s; D is right 96% of the time (96.2% above).",
                   "FD 12.34  time 40.2 s  accuracy 0.962  96.2%")
    assert problems(nb) == []


def test_a_drifted_number_fails_and_names_itself():
    nb = _notebook("The FD falls to 13.1 by the end.", "FD 12.34")
    found = problems(nb)
    assert len(found) == 1 and "'13.1'" in found[0] and "falls to 13.1" in found[0]


def test_drifted_percentages_and_times_fail():
    nb = _notebook("Training takes 95 s and reaches 88%.", "took 181.0 s; accuracy 0.962")
    assert [p.split("'")[1] for p in problems(nb)] == ["95 s", "88%"]


def test_a_time_matches_only_a_printed_time_in_any_unit():
    printed = "finished in 16.8 min; 95 epochs; 0.962"
    assert problems(_notebook("The notebook took 16.8 minutes (1008 s).", printed)) == []
    assert [p.split("'")[1] for p in problems(_notebook("An epoch takes 95 s.", printed))] == ["95 s"]
    assert problems(_notebook("An epoch takes 7.9 s.", "run  s/epoch\nA    7.9")) == []
    assert len(problems(_notebook("The run took 7.9 min.", "run  s/epoch\nA    7.9"))) == 1


def test_a_marked_number_passes_and_a_mark_needs_a_source():
    text = "PacGAN reports 95.9% and 93.6%."
    assert len(problems(_notebook(text, "nothing"))) == 2
    marked = text + "\n<!-- numbers from elsewhere: 95.9 93.6 — PacGAN paper, Table 1 -->"
    assert problems(_notebook(marked, "nothing")) == []
    unsourced = text + "\n<!-- numbers from elsewhere: 95.9 93.6 -->"
    assert any("does not say where" in p for p in problems(_notebook(unsourced, "nothing")))


def test_a_stale_mark_fails():
    nb = _notebook("The paper reports 95.9%.\n<!-- numbers from elsewhere: 95.9 97.1 — PacGAN paper -->", "x")
    found = problems(nb)
    assert len(found) == 1 and "97.1" in found[0] and "stale" in found[0]


def test_a_mark_covers_only_its_own_cell():
    nb = _notebook("<!-- numbers from elsewhere: 95.9 — PacGAN paper -->\nPacGAN: 95.9%.", "x")
    nb.cells.append(new_markdown_cell("Again 95.9%."))
    assert len(problems(nb)) == 1


def test_maths_code_headings_places_and_integers_are_not_quoted_numbers():
    text = ("## 3.2 The loss\nMost are 1s and 7s.\n"
            "With $p = 0.5$ and $$D^*(x) = 0.25$$ see section 4.1, Exercise 4.2, "
            "Keras 3.5, TensorFlow 2.21.0, `lr=0.0002`, [a link](https://x.org/1.5) and 10,000 digits.\n"
            "```python\nx = 0.75\n```\n<!-- 0.33 -->")
    assert prose_numbers(text) == []


def test_a_measurement_after_a_place_still_counts():
    assert prose_numbers("12 s per epoch in section 4 and 11 s in Exercise 3.3; section 2 and 95%") == [
        ("12 s", "12", "s"), ("11 s", "11", "s"), ("95%", "95", "%")]


def test_which_tokens_count():
    assert prose_numbers("FD 12.3, 1,234.5 images, 96%, 95.9 %, 181 s, 3-5 min, 2 hours, 40 ms") == [
        ("12.3", "12.3", ""), ("1,234.5", "1234.5", ""), ("96%", "96", "%"), ("95.9%", "95.9", "%"),
        ("181 s", "181", "s"), ("3 min", "3", "min"), ("5 min", "5", "min"), ("2 hours", "2", "hours"),
        ("40 ms", "40", "ms")]
