#!/usr/bin/env python3
"""Check every notebook's setup cell in a fresh environment that holds only what Colab has.

Colab comes with TensorFlow, Keras, NumPy, matplotlib, Pillow and IPython, and not
with gan_lib. This script (not part of CI: it installs TensorFlow, a few minutes):

1. makes a fresh virtual environment in a temporary folder and installs only those
   packages, at the versions pinned in requirements.txt (the TensorFlow build is
   the pinned CPU one; Colab's is its own);
2. for each notebooks/NN_*.ipynb (and student/NN_*.ipynb), starts IPython in an
   empty folder outside the repository and runs the notebook's setup cell with its
   GitHub address replaced by this repository's path, so that the cell's
   ``%pip install "gan_lib @ ..."`` really runs (offline, from a copy of the repository, as
   Colab installs it from GitHub), then the run header and the cell of imports;
   Committed results that a lesson loads (``runs/``, which ``%pip install`` does not bring) are
   fetched as in Colab (:func:`gan_lib.core.config.committed_folder`), from this repository
   standing in for GitHub (``GAN_COURSE_FILES``);
3. checks that TensorFlow was not replaced, that gan_lib was imported from the
   installed package (not the repository), that its data and classifier load, and,
   for the student versions, that each check says "not done yet".

    python3 scripts/check_colab_setup.py            # prints one line per notebook, exits 1 on a failure
    python3 scripts/check_colab_setup.py 05 09      # only lessons 05 and 09 (instructor and student versions)
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLAB_HAS = ["tensorflow_cpu", "keras", "numpy", "matplotlib", "pillow", "ipython"]

PROBE = r'''
import json, sys
from pathlib import Path
import nbformat
from IPython.core.interactiveshell import InteractiveShell

path, repo = sys.argv[1], sys.argv[2]
nb = nbformat.read(path, as_version=4)
shell = InteractiveShell.instance()
report = {"notebook": path}
import importlib.util
report["gan_lib_before"] = importlib.util.find_spec("gan_lib") is not None
import tensorflow as tf
report["tf_before"] = tf.__version__
code = [c.source for c in nb.cells if c.cell_type == "code"]
setup = code[0]
url = re.search(r'"gan_lib @ ([^"]+)"', setup).group(1)
local = setup.replace(url, "file://" + repo)
report["setup_url"] = url
r = shell.run_cell(local)
report["setup_ok"] = r.success
header = next(c for c in code if "course.run_header(" in c)
r = shell.run_cell(header)
report["header_ok"] = r.success
imports = next(c for c in code if "from gan_lib import" in c and "course.run_header(" not in c)
r = shell.run_cell(imports)
report["imports_ok"] = r.success
r = shell.run_cell(
    "import gan_lib, tensorflow as tf\n"
    "from gan_lib import data, classifier\n"
    "_d = data.load_digits('heldout', verbose=False)\n"
    "_c = classifier.load()\n"
    "_report = (gan_lib.__file__, tf.__version__, _d.images.shape, _c.count_params())")
report["package_ok"] = r.success
if r.success:
    f, v, shape, n = shell.user_ns["_report"]
    report.update(gan_lib_file=f, tf_after=v, heldout_shape=list(shape), classifier_params=int(n))
if "/student/" in path:
    from gan_lib.coursework import cells
    verdicts = []
    for item in cells.grading_plan(nb):
        for j in item.cells:
            shell.run_cell(nb.cells[j].source)
        import io, contextlib
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            shell.run_cell(item.check)
        verdicts.append((item.number, "not done yet" in buf.getvalue()))
    report["checks_not_done"] = verdicts
print("REPORT " + json.dumps(report))
'''.replace("import json, sys", "import json, re, sys")


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, **kw)


def main(only=()) -> int:
    from pins import pins as platform_pins  # scripts/pins.py: requirements.txt's lines for one platform

    # Colab is Linux x86_64: its pins (the markers of requirements.txt evaluated for it)
    pins = {name.replace("-", "_"): f"{name}=={v}" for name, v in platform_pins("linux-x86_64").items()}
    with tempfile.TemporaryDirectory(prefix="colab-check-") as tmp:
        tmp = Path(tmp)
        venv, py = tmp / "venv", tmp / "venv" / "bin" / "python"
        t = time.perf_counter()
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(py), "-m", "pip", "install", "-q"] + [pins[p] for p in COLAB_HAS] + ["nbformat"])
        print(f"fresh environment with only {', '.join(pins[p] for p in COLAB_HAS)} (+ nbformat to read the "
              f"notebooks): {time.perf_counter() - t:.0f} s")
        frozen = run([str(py), "-m", "pip", "freeze"], capture_output=True).stdout
        assert "gan_lib" not in frozen and "gan-lib" not in frozen
        repo = tmp / "repo"  # a copy, so that pip's build leaves nothing in the working tree
        shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(".venv", ".git", "build", "runs", "grades",
                                                                    "*.egg-info", "__pycache__"))
        empty = tmp / "colab_content"
        empty.mkdir()
        probe = tmp / "probe.py"
        probe.write_text(PROBE)
        failures = 0
        notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")) + \
            sorted((ROOT / "student").glob("[0-9][0-9]_*.ipynb"))
        if only:  # e.g. `check_colab_setup.py 05`: only the lessons whose file names start with these
            notebooks = [nb for nb in notebooks if nb.name.startswith(tuple(only))]
        for nb in notebooks:
            # each notebook starts from an environment without gan_lib, as a fresh Colab runtime does
            subprocess.run([str(py), "-m", "pip", "uninstall", "-q", "-y", "gan_lib"], capture_output=True)
            t = time.perf_counter()
            env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
            env["MPLBACKEND"] = "Agg"
            # Colab fetches the committed results a lesson loads (lesson 11's generators) from GitHub at the
            # release tag; offline, this repository stands in for GitHub, into a fresh cache per notebook
            env["GAN_COURSE_FILES"] = str(ROOT)
            env["XDG_CACHE_HOME"] = str(tmp / f"cache-{nb.parent.name}-{nb.stem}")
            r = subprocess.run([str(py), str(probe), str(nb), str(repo)], cwd=empty, capture_output=True,
                               text=True, env=env)
            line = next((ln for ln in r.stdout.splitlines() if ln.startswith("REPORT ")), None)
            rep = json.loads(line[7:]) if line else {}
            ok = (r.returncode == 0 and not rep.get("gan_lib_before") and rep.get("setup_ok")
                  and rep.get("header_ok") and rep.get("imports_ok") and rep.get("package_ok")
                  and rep.get("tf_after") == rep.get("tf_before")
                  and "site-packages" in rep.get("gan_lib_file", "")
                  and all(v for _, v in rep.get("checks_not_done", [])))
            failures += not ok
            rel = nb.relative_to(ROOT)
            print(f"{'ok  ' if ok else 'FAIL'} {rel}: setup cell installed gan_lib from the repository "
                  f"({'ok' if rep.get('setup_ok') else 'failed'}), header and imports "
                  f"{'ok' if rep.get('header_ok') and rep.get('imports_ok') else 'failed'}, "
                  f"TensorFlow {rep.get('tf_before')} -> {rep.get('tf_after')}, gan_lib from "
                  f"{rep.get('gan_lib_file', '?').replace(str(tmp), '<tmp>')}, held-out digits "
                  f"{rep.get('heldout_shape')}, classifier {rep.get('classifier_params')} weights"
                  + (f", checks not done: {rep['checks_not_done']}" if "checks_not_done" in rep else "")
                  + f" ({time.perf_counter() - t:.0f} s)")
            if not ok:
                print(r.stdout[-2000:], r.stderr[-3000:])
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
