# The course's commands. Each sets up its own virtual environment (.venv) from
# requirements.txt (or requirements-gpu.txt) and requirements-site.txt the first time (and again whenever one changes).
# INSTRUCTOR=1 (make venv INSTRUCTOR=1) also installs requirements-instructor.txt: otter-grader,
# which students never need (CI installs it; make assignments needs it).
#
#   make venv      just the environment (Linux, macOS, Windows through WSL: README.md, 'Which computers')
#   make venv GPU=1  the environment with TensorFlow's CUDA build (requirements-gpu.txt; NVIDIA GPU on
#                  Linux x86_64 or WSL 2). The .venv remembers it: later commands need no GPU=1.
#                  make venv GPU=0 goes back to the CPU build. Switching rebuilds .venv from scratch.
#   make gpu-venv  the same as make venv GPU=1
#   make train     train the default GAN -> runs/default/ (3-5 min on 2 CPU cores); its header names the GPU it uses
#   make test      every test: lint (ruff, duplicated code), pytest, the website (make site + headless Chromium), every notebook in quick mode (pytest beside the site and notebooks), with a time ledger (about 14 min)
#   make notebooks re-run every notebook in full mode and store its outputs
#   make classifier  retrain the course's MNIST classifier and emoji category classifier (gan_lib/assets/)
#   make lesson03  lesson 03's comparison (tutorial recipe -> course DCGAN) over seeds 0-2 -> runs/03_dcgan/
#                  (about 20 min per seed on a 2-core CPU shared with other jobs; not timed on an idle one)
#   make lesson04  lesson 04's studies beyond the notebook, seeds 0-2 -> runs/04_mode_collapse/{paper,long}/: each
#                  remedy with its paper's recipe (4,000 steps) and R1 at 16,000 steps with a learning-rate
#                  decay (39-577 s per 4,000-step run, 374-625 s per 16,000-step run on a shared 2-core CPU),
#                  and the MNIST collapse studies -> runs/04_mode_collapse/mnist/ (4 DCGAN variants x 3 seeds,
#                  74-204 s per run) and runs/04_mode_collapse/mnist_fast_d/ (the MLP pair mlp_wide with D's
#                  learning rate 5x G's, its remedies and equal rates; 5 models x 3 seeds, 143-323 s per run)
#   make lesson05  lesson 05's emoji study (the DCGAN design without DiffAugment and with it in two orders, seeds 0-2)
#                  and probes of D's memorising (seed 0 again, D's verdicts every epoch) -> runs/05_colour/ (about 5 CPU-hours),
#                  and the plain DCGAN twice as long (6,900 steps, seeds 0-2) with the truncation trick -> runs/05_colour/longer/
#   make lesson06  lesson 06's stabilising tricks on the DCGAN, seeds 0-2 -> runs/06_stabilise/ (about 5 h on a loaded 2-core CPU)
#   make lesson07  lesson 07's comparison over seeds 0-2 -> runs/07_conditional/ (16 min on an idle 2-core CPU)
#   make lesson09  lesson 09's CycleGAN (thin <-> thick digits, seeds 0-2) -> runs/09_beyond_dcgan/ (about 10 min)
#                  and its BigGAN-pieces generator with lesson 07's recipe, seeds 0-2 -> runs/09_beyond_dcgan/biggan/
#                  and its StyleGAN against the course DCGAN, seeds 0-2 -> runs/09_beyond_dcgan/stylegan/ (about 8 min)
#   make lesson10  lesson 10's little-data table (sizes x augmentation, seeds 0-2) and probes -> runs/10_little_data/
#                  (18 runs of 2,000 steps, one probe, six of 6,000, three ADA runs traced; several hours on a 2-core CPU)
#   make lesson11  lesson 11's generators (seeds 0-2), inversion/editing table and plain-vs-conditional
#                  edits -> runs/11_inversion/ (table.json about 20 min per seed, edits.json a few minutes)
#   make student   write the student versions student/NN_*.ipynb and the syllabus of docs/instructors.md
#   make grade SUBMISSIONS=folder   grade submitted notebooks -> grades/: table, feedback per student, rubric marking sheet, Canvas and Gradescope CSVs (docs/instructors.md)
#   make assignments FORMAT=otter [LESSONS="01 04"]   each lesson as an Otter-Grader assignment -> assignments/otter/ (installs the instructor tools)
#   make site      the course website from the notebooks' stored outputs, README and docs/ -> _build/site/
#                  (offline: nothing from a CDN; open _build/site/index.html)
#   make tensorboard   open make train's TensorBoard logs (losses, D(x), D(G(z)), quality, grids)
#   make release VERSION=0.2.0   bump the version, point setup cells and Colab badges at tag v0.2.0, tag
#   make bench     speed on this machine vs the TensorFlow DCGAN tutorial (a few minutes;
#                  FULL=1 also re-runs the reference curves, hours on a CPU)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# GPU=1 selects the CUDA build; a .venv built with it says so in .venv/.gpu, so it stays the default.
GPU    ?= $(if $(wildcard $(VENV)/.gpu),1,)
ifeq ($(filter 1 yes true,$(GPU)),)
REQS   := requirements.txt
STAMP  := $(VENV)/.installed
OTHER  := $(VENV)/.installed-gpu
else
REQS   := requirements-gpu.txt
STAMP  := $(VENV)/.installed-gpu
OTHER  := $(VENV)/.installed
endif
ISTAMP := $(VENV)/.installed-instructor
INSTRUCTOR ?=

# make train variables (empty = the course's defaults; see python -m gan_lib.train --help)
MODEL  ?=
EPOCHS ?=
SEED   ?=
OUT    ?= runs/default
TRAIN_ARGS = $(if $(MODEL),--model $(MODEL)) $(if $(EPOCHS),--epochs $(EPOCHS)) $(if $(SEED),--seed $(SEED)) --out $(OUT)

.PHONY: venv gpu-venv train site tensorboard test notebooks classifier clean student syllabus grade assignments bench lesson03 lesson04 lesson05 lesson06 lesson07 lesson09 lesson10 lesson11 release

venv: $(STAMP) $(if $(INSTRUCTOR),$(ISTAMP))

gpu-venv:
	@$(MAKE) --no-print-directory venv GPU=1

# POSIX tools only (test, touch, rm, echo), so the recipe runs unchanged on macOS.
# --no-compile: Python compiles a module when it is first imported instead of pip compiling every
# file it installs (TensorFlow has thousands): the install took 41 s -> 20 s, the first TensorFlow
# import 4 s -> 10 s once.
$(STAMP): $(REQS) requirements-site.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "Python 3.10+ is needed, found " + sys.version.split()[0]'
	@if [ -e $(OTHER) ]; then echo "Rebuilding $(VENV) from scratch for $(REQS) (it held the other TensorFlow build)"; rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -r $(REQS) -r requirements-site.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@$(BIN)/python -c 'import importlib.util as u, platform, sys; u.find_spec("tensorflow") or sys.exit("No TensorFlow build is pinned for " + platform.system() + " " + platform.machine() + " in requirements.txt: see README.md, Which computers (Windows: use WSL).")'
	@if [ "$(REQS)" = requirements-gpu.txt ]; then echo 1 > $(VENV)/.gpu; else rm -f $(VENV)/.gpu; fi
	@rm -f $(OTHER)
	@touch $(STAMP)
	@if [ -e $(VENV)/.gpu ]; then $(BIN)/python -m gan_lib.core.devices; fi

# The instructor tools, in a second pip call: they move wrapt below 2 (see requirements-instructor.txt).
$(ISTAMP): $(STAMP) requirements-instructor.txt
	$(BIN)/python -m pip install --quiet -r requirements-instructor.txt
	@touch $(ISTAMP)

# Resumes $(OUT) if it holds a stopped run; re-running a finished run only rewrites its outputs.
train: $(STAMP)
	$(BIN)/python -m gan_lib.train $(TRAIN_ARGS) --resume

# The course website: Sphinx + myst-nb from the stored outputs (never re-executed), every internal
# link checked, nothing fetched from another host (scripts/build_site.py, site/conf.py).
site: $(STAMP)
	$(BIN)/python scripts/build_site.py --out _build/site

# make tensorboard [OUT=runs/default]: open the run's TensorBoard logs at http://localhost:6006
tensorboard: $(STAMP)
	$(BIN)/tensorboard --logdir $(or $(OUT),runs/default)/tensorboard

test: $(STAMP)
	@bash scripts/test.sh

notebooks: $(STAMP)
	@bash scripts/run_notebooks.sh
	@$(MAKE) --no-print-directory student

classifier: $(STAMP)
	$(BIN)/python scripts/train_classifier.py
	$(BIN)/python scripts/train_classifier.py --emoji

# Lesson 03: variants A-E per update and at equal seconds (post-tracing cost per update), precise BN, seeds 0-2.
lesson03: $(STAMP)
	$(BIN)/python -m gan_lib.lessons.recipes --out runs/03_dcgan

# Lesson 04: the remedies with their papers' recipes and the long R1 runs (the shared table is the notebook's);
# one JSON, the scored samples and the tracked mode labels per run; runs already there are skipped.
lesson04: $(STAMP)
	$(BIN)/python -m gan_lib.lessons.collapse --study paper
	$(BIN)/python -m gan_lib.lessons.collapse --study long
	$(BIN)/python -m gan_lib.lessons.collapse_digits
	$(BIN)/python -m gan_lib.lessons.collapse_fast_d

# Lesson 05: the DCGAN design on the shipped emoji with and without DiffAugment, seeds 0-2, scored with the emoji
# classifier; per run the weight average's samples and both generators' scores; the notebook loads them. Then the
# plain DCGAN twice as long, its weight average stored (float16) for the notebook to draw from, truncation measured.
lesson05: $(STAMP)
	$(BIN)/python -m gan_lib.lessons.colour_study
	$(BIN)/python -m gan_lib.lessons.colour_study --probe --models dcgan,dcgan_diffaugment
	$(BIN)/python -m gan_lib.lessons.colour_longer

# Lesson 06: every stabilising trick on the course's DCGAN (WGAN-GP and TTUR with their papers' settings),
# seeds 0-2, plus the failure demos; one JSON per run, the table and seed 0's samples; the notebook loads them.
lesson06: $(STAMP)
	$(BIN)/python -m gan_lib.lessons.stabilise --out runs/06_stabilise

# Lesson 07: projection D vs the concat D of the same size, seeds 0-2, a row per epoch; the notebook loads the table.
lesson07: $(STAMP)
	$(BIN)/python -m gan_lib.lessons.conditional --out runs/07_conditional

# Lesson 09: the CycleGAN of section 5 trained and scored from seeds 0-2 (1,500 steps each); the notebook
# trains seed 0 live and loads the table. Then section 4's BigGAN pieces (cond_biggan) with lesson 07's recipe
# and seeds, without its orthogonal regularisation, without its first layer's bias, and lesson 07's cond_dcgan
# again, and the truncation trick measured on all four -> runs/09_beyond_dcgan/biggan/ (about 6 min per run).
# Then section 3's StyleGAN and the course DCGAN on one time budget, seeds 0-2, one run at a time (so the
# seconds compare), with the StyleGAN's weights and style-mixing measures -> runs/09_beyond_dcgan/stylegan/.
lesson09: $(STAMP)
	$(BIN)/python -m gan_lib.lessons.cycle --out runs/09_beyond_dcgan
	$(BIN)/python -m gan_lib.lessons.biggan
	$(BIN)/python -m gan_lib.lessons.style_study

# Lesson 10: the course DCGAN on 250, 1,000 and 8,000 digits, with DiffAugment, ADA and the reals-only leak,
# seeds 0-2; one JSON per run, seed 0's samples and the table; the notebook loads them.
lesson10: $(STAMP)
	$(BIN)/python -m gan_lib.lessons.little_data --probes --long --out runs/10_little_data
	$(BIN)/python -m gan_lib.lessons.little_data --rt-trace --out runs/10_little_data

# Lesson 11: three course generators (dcgan_deep, 8 epochs, seeds 0-2), stored as float16 weights in
# runs/11_inversion/, then inversion and editing measured on each; the notebook loads both.
lesson11: $(STAMP)
	for s in 0 1 2; do $(BIN)/python -m gan_lib.train --seed $$s --epochs 8 --eval-every 0 --out runs/11_train/seed$$s || exit 1; done
	$(BIN)/python -m gan_lib.lessons.latent_edit --store-from runs/11_train

clean:
	rm -rf $(VENV) .pytest_cache _build

# Student versions and the instructor guide's syllabus, both generated from notebooks/NN_*.ipynb.
student: $(STAMP)
	$(BIN)/python scripts/make_student.py
	$(BIN)/python scripts/make_syllabus.py

syllabus: $(STAMP)
	$(BIN)/python scripts/make_syllabus.py

# make grade SUBMISSIONS=folder [GRADES=grades] [GRADE_ARGS="--timeout 900 --quick"]
SUBMISSIONS ?=
GRADES      ?= grades
GRADE_ARGS  ?=
grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "Usage: make grade SUBMISSIONS=path/to/folder [GRADES=grades] [GRADE_ARGS='--timeout 900']"; exit 2; }
	$(BIN)/python -m gan_lib.coursework.grade "$(SUBMISSIONS)" --out "$(GRADES)" $(GRADE_ARGS)
# make assignments FORMAT=otter [LESSONS="01 04"] [ASSIGNMENTS=assignments/otter]: Otter-Assign source
# notebooks generated from the lessons' exercise markup, then `otter assign` on each (docs/instructors.md).
FORMAT      ?= otter
LESSONS     ?=
ASSIGNMENTS ?=
assignments: $(ISTAMP)
	$(BIN)/python scripts/make_assignments.py --format $(FORMAT) $(if $(LESSONS),--lessons $(LESSONS)) $(if $(ASSIGNMENTS),--out $(ASSIGNMENTS))

# make bench: throughput of every model, the tutorial's loop vs the course's default side by side,
# and time to quality from benchmarks/reference/*.json. FULL=1 re-runs those reference curves first.
FULL   ?=
BENCH_OUT ?=
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py $(if $(FULL),--full) $(if $(BENCH_OUT),--out $(BENCH_OUT))

# make release VERSION=0.2.0: bump the version, point every setup cell and Colab badge at the tag
# v0.2.0, commit and tag (scripts/release.py). Push with `git push --follow-tags`.
release:
	@test -n "$(VERSION)" || { echo "Usage: make release VERSION=MAJOR.MINOR.PATCH"; exit 2; }
	python3 scripts/release.py $(VERSION)
