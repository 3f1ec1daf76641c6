"""gan_lib.core.config (quick mode, repository slug) and the course helpers built from it."""

import re
import time
from pathlib import Path

import pytest
import tomllib

from gan_lib import config, course

ROOT = Path(__file__).resolve().parents[1]


def test_quick_env_name():
    assert config.QUICK_ENV == "GAN_COURSE_QUICK"


def test_unset_is_full_mode(full_mode):
    assert config.quick_mode() is False
    assert config.mode_name() == "full"
    assert config.pick(full=30, quick=2) == 30


def test_quick_mode_fixture(quick_mode_env):
    assert config.quick_mode() is True
    assert config.mode_name() == "quick"
    assert config.pick(full=30, quick=2) == 2


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "on"])
def test_quick_values(monkeypatch, value):
    monkeypatch.setenv(config.QUICK_ENV, value)
    assert config.quick_mode() is True
    assert config.pick(full="full", quick="quick") == "quick"


@pytest.mark.parametrize("value", ["", "0", "false", "False", "no", "off"])
def test_full_values(monkeypatch, value):
    monkeypatch.setenv(config.QUICK_ENV, value)
    assert config.quick_mode() is False
    assert config.pick(full="full", quick="quick") == "full"


@pytest.mark.parametrize("value", ["2", "maybe", "quick"])
def test_bad_value_names_the_variable(monkeypatch, value):
    monkeypatch.setenv(config.QUICK_ENV, value)
    with pytest.raises(ValueError) as e:
        config.quick_mode()
    assert "GAN_COURSE_QUICK" in str(e.value) and repr(value) in str(e.value)
    with pytest.raises(ValueError, match="GAN_COURSE_QUICK"):
        config.pick(full=1, quick=2)


def test_pick_returns_the_objects_unchanged(full_mode):
    full, quick = object(), object()
    assert config.pick(full=full, quick=quick) is full


def test_repo_slug_is_owner_slash_name():
    assert re.fullmatch(r"[\w.-]+/[\w.-]+", config.REPO_SLUG)


# --------------------------------------------------------------------------- Colab links and the setup cell


def test_colab_url_is_built_from_the_slug():
    url = course.colab_url("notebooks/01_first_gan.ipynb")
    assert url == (f"https://colab.research.google.com/github/{config.REPO_SLUG}/blob/"
                   f"{config.REPO_REF}/notebooks/01_first_gan.ipynb")


def test_colab_url_follows_a_changed_slug(monkeypatch):
    monkeypatch.setattr(config, "REPO_SLUG", "someone/fork")
    monkeypatch.setattr(config, "REPO_REF", "dev")
    assert course.colab_url("notebooks/x.ipynb") == \
        "https://colab.research.google.com/github/someone/fork/blob/dev/notebooks/x.ipynb"


def test_colab_badge_markdown():
    badge = course.colab_badge("notebooks/01_first_gan.ipynb")
    url = course.colab_url("notebooks/01_first_gan.ipynb")
    assert badge == f"[![Open In Colab]({course.COLAB_BADGE_IMAGE})]({url})"
    assert badge.startswith("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](")


def _pip_lines():
    return [line for line in course.SETUP_CELL.splitlines() if "pip install" in line]


def test_setup_cell_installs_gan_lib_from_the_repository():
    lines = _pip_lines()
    assert len(lines) == 1
    assert f"git+https://github.com/{config.REPO_SLUG}.git@{config.REPO_REF}" in lines[0]
    assert "gan_lib @" in lines[0]


def test_setup_cell_never_installs_tensorflow():
    for line in _pip_lines():
        assert "tensorflow" not in line.lower()
        assert "-U" not in line.split() and "--upgrade" not in line  # would upgrade Colab's packages


def test_package_dependencies_do_not_pull_tensorflow():
    """What the setup cell installs is gan_lib plus its declared dependencies: none may be TensorFlow."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert deps, "pyproject.toml lists no dependencies"
    assert not [d for d in deps if "tensorflow" in d.lower() or d.lower().startswith("tf-")]


def test_setup_cell_is_valid_ipython():
    from IPython.core.inputtransformer2 import TransformerManager

    python = TransformerManager().transform_cell(course.SETUP_CELL)
    compile(python, "<setup cell>", "exec")
    assert "import gan_lib" in python


def test_offline_probe_gives_up_quickly():
    t = time.perf_counter()
    assert config.online(host="192.0.2.1", timeout=0.5) is False  # TEST-NET-1: never answers
    assert time.perf_counter() - t < 3


@pytest.mark.parametrize("value", [0, -1, 2.0, True, "3", None])
def test_positive_int_refuses_what_is_not_a_count(value):
    with pytest.raises(ValueError, match=f"k={value!r}: it must be a whole number of at least 1"):
        config.positive_int("k", value)


def test_positive_int_accepts_counts_and_raises_the_callers_error():
    import numpy as np

    assert config.positive_int("k", 3) == 3
    assert config.positive_int("k", np.int64(4)) == 4 and type(config.positive_int("k", np.int64(4))) is int

    class RunError(RuntimeError):
        pass

    with pytest.raises(RunError, match="epochs=0"):
        config.positive_int("epochs", 0, RunError)


def test_set_determinism_repeats_random_draws():
    import keras

    config.set_determinism(5)
    a = keras.random.normal((3,)).numpy()
    config.set_determinism(5)
    assert (keras.random.normal((3,)).numpy() == a).all()


# --------------------------------------------------------------------------- committed results outside a clone


def test_committed_folder_in_a_clone_is_the_repository_folder():
    assert config.repository_root() == ROOT
    assert config.committed_folder("runs/11_inversion", ["never-fetched.npz"]) == ROOT / "runs" / "11_inversion"


@pytest.fixture
def installed_copy(tmp_path, monkeypatch):
    """gan_lib as Colab has it: no repository around it, an empty working folder, a fresh cache."""
    monkeypatch.setattr(config, "repository_root", lambda: None)
    work = tmp_path / "content"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    remote = tmp_path / "remote"
    (remote / "runs" / "x").mkdir(parents=True)
    (remote / "runs" / "x" / "a.json").write_text('{"a": 1}')
    (remote / "runs" / "x" / "b.npz").write_bytes(b"\x00\x01binary")
    return tmp_path, remote


@pytest.mark.parametrize("as_url", [False, True], ids=["folder", "file-url"])
def test_committed_folder_fetches_the_missing_files_once_into_a_cache(installed_copy, monkeypatch, as_url):
    tmp_path, remote = installed_copy
    monkeypatch.setenv(config.FILES_ENV, remote.as_uri() if as_url else str(remote))
    said = []
    got = config.committed_folder("runs/x", ["a.json", "b.npz"], log=said.append)
    assert got == tmp_path / "cache" / "gan_course" / config.REPO_REF / "runs" / "x"
    assert (got / "a.json").read_text() == '{"a": 1}' and (got / "b.npz").read_bytes() == b"\x00\x01binary"
    assert len(said) == 1 and "Fetching 2 committed file(s) of runs/x" in said[0]
    said.clear()  # a second call finds them in the cache: nothing fetched, nothing said
    assert config.committed_folder("runs/x", ["a.json", "b.npz"], log=said.append) == got and said == []
    assert not list(got.glob("*.part"))


def test_committed_folder_prefers_a_copy_in_the_working_folder(installed_copy):
    (Path.cwd() / "runs" / "x").mkdir(parents=True)
    assert config.committed_folder("runs/x", ["a.json"]) == Path.cwd() / "runs" / "x"


def test_committed_folder_says_what_to_do_when_a_file_cannot_be_had(installed_copy, monkeypatch):
    tmp_path, remote = installed_copy
    monkeypatch.setenv(config.FILES_ENV, str(remote))
    with pytest.raises(FileNotFoundError, match=r"runs/x/c\.npz .*could not be fetched.*git clone.*GAN_COURSE_FILES"):
        config.committed_folder("runs/x", ["a.json", "c.npz"], log=lambda *a: None)
    cache = tmp_path / "cache" / "gan_course" / config.REPO_REF / "runs" / "x"
    assert not (cache / "c.npz").exists() and not list(cache.glob("*.part"))  # nothing half-written is kept


def test_the_default_source_is_the_release_tag_on_github(monkeypatch):
    monkeypatch.delenv(config.FILES_ENV, raising=False)
    assert config.files_source() == f"https://raw.githubusercontent.com/{config.REPO_SLUG}/{config.REPO_REF}"


def test_the_packaged_list_of_committed_results_is_git_s():
    import json
    import subprocess

    listed = json.loads((ROOT / "gan_lib" / "assets" / "committed_runs.json").read_text())
    tracked = subprocess.run(["git", "ls-files", "runs/"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    assert sorted(f"{folder}/{name}" for folder, names in listed.items() for name in names) == sorted(tracked), \
        "gan_lib/assets/committed_runs.json is out of date: run python scripts/make_manifest.py"


def test_every_lesson_loads_its_committed_results_from_an_installed_copy(tmp_path, monkeypatch):
    """As in Colab: no repository around gan_lib; the files come from FILES_ENV (here this repository)."""
    from gan_lib.lessons import collapse, conditional, latent_edit, little_data, recipes, stabilise

    monkeypatch.setattr(config, "repository_root", lambda: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv(config.FILES_ENV, str(ROOT))
    monkeypatch.delenv(config.QUICK_ENV, raising=False)
    for module in (recipes, stabilise, conditional, little_data, latent_edit):
        doc = module.load_results()
        assert doc, module.__name__
    folder = collapse.results_dir()
    assert str(folder).startswith(str(tmp_path / "cache")) and any(folder.iterdir())
    g = latent_edit.load_generator(latent_edit.results_dir() / latent_edit.generator_file(0))
    assert g.output_shape == (None, 28, 28, 1)
