"""The pinned environment on every platform students use, the GPU file, and the GPU in the run header.

Offline: markers pick exactly one TensorFlow build per platform, every other package is pinned once,
requirements-gpu.txt is what scripts/pins.py derives from requirements.txt, and its CUDA pins satisfy
TensorFlow's own ``and-cuda`` extra. With the package index (CI has it): every pin has a wheel for
CPython 3.11 on each platform (one index request per project, about 15-30 s here). The full pip
resolution per platform is opt-in (``GAN_COURSE_RESOLVE=1``; ``python scripts/pins.py --resolve``),
because on an index that serves no separate wheel metadata pip downloads every wheel (minutes).
"""

import importlib.metadata
import os
import sys
import tempfile
import urllib.error
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import pins  # noqa: E402

# ---------------------------------------------------------------------------------------------- offline


def test_each_platform_gets_one_tensorflow_build_and_the_same_version_where_wheels_exist():
    builds = {p: pins.tensorflow_pin(p) for p in pins.PLATFORMS}
    ci_dist, ci_version = builds["linux-x86_64"]
    assert ci_dist == "tensorflow-cpu"
    # Apple silicon and Linux aarch64 get TensorFlow's own wheels of the version CI tests
    assert builds["macos-arm64"] == ("tensorflow", ci_version)
    assert builds["linux-aarch64"] == ("tensorflow", ci_version)
    # Intel Macs: the last release with Intel-Mac wheels, older than CI's
    dist, version = builds["macos-x86_64"]
    assert dist == "tensorflow" and version.split(".")[:2] < ci_version.split(".")[:2]


def test_every_platform_pins_the_same_packages_apart_from_tensorflow():
    names = {p: set(pins.pins(p)) for p in pins.PLATFORMS}
    tf_only = {"tensorflow", "tensorflow-cpu", "tensorflow-io-gcs-filesystem"}
    base = names["linux-x86_64"] - tf_only
    for platform, got in names.items():
        assert got - tf_only == base, platform


def test_a_loose_pin_or_a_package_pinned_twice_is_refused_with_the_line(tmp_path):
    loose = tmp_path / "requirements.txt"
    loose.write_text("numpy>=1.26\n")
    with pytest.raises(pins.PinError, match=r"requirements.txt:1: 'numpy>=1.26' is not an exact pin"):
        pins.pins("linux-x86_64", loose)
    twice = tmp_path / "twice.txt"
    twice.write_text('numpy==1.26.4; sys_platform == "darwin"\nnumpy==2.4.6\n')
    with pytest.raises(pins.PinError, match="numpy is pinned twice for macos-arm64"):
        pins.pins("macos-arm64", twice)
    assert pins.pins("linux-x86_64", twice) == {"numpy": "2.4.6"}
    none = tmp_path / "none.txt"
    none.write_text('tensorflow==2.21.0; sys_platform == "darwin"\nnumpy==2.4.6\n')
    with pytest.raises(pins.PinError, match="0 TensorFlow builds are pinned for linux-x86_64"):
        pins.tensorflow_pin("linux-x86_64", none)


def test_gpu_requirements_are_generated_from_requirements_txt():
    assert pins.GPU_REQUIREMENTS.read_text() == pins.gpu_requirements_text(), \
        "requirements-gpu.txt is out of date: run python scripts/pins.py"


def test_gpu_file_is_the_cpu_pins_with_tensorflows_cuda_build_of_the_same_version():
    cpu = pins.pins("linux-x86_64")
    gpu = pins.pins("linux-x86_64", pins.GPU_REQUIREMENTS)
    tf_line = [r for r in pins.requirements(pins.GPU_REQUIREMENTS) if r.name == "tensorflow"]
    assert len(tf_line) == 1 and tf_line[0].extras == {"and-cuda"}
    assert gpu["tensorflow"] == cpu["tensorflow-cpu"]
    assert "tensorflow-cpu" not in gpu
    for name, version in cpu.items():
        if name != "tensorflow-cpu":
            assert gpu[name] == version, name
    assert set(gpu) - set(cpu) == {"tensorflow"} | {Requirement(p).name for p in pins.CUDA_PINS}


def test_cuda_pins_satisfy_tensorflows_and_cuda_extra():
    """The installed tensorflow_cpu has the same metadata as tensorflow of its version, extras included."""
    version = pins.pins("linux-x86_64")["tensorflow-cpu"]
    try:
        installed = importlib.metadata.version("tensorflow_cpu")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("tensorflow_cpu is not installed here; the registry test below still checks the GPU pins")
    if installed != version:
        pytest.skip(f"tensorflow_cpu {installed} is installed, {version} is pinned: run make venv")
    extra = [Requirement(r) for r in importlib.metadata.requires("tensorflow_cpu")
             if 'extra == "and-cuda"' in r]
    assert len(extra) >= 10  # cuBLAS, cuDNN, cuFFT, NCCL, ...
    cuda = {Requirement(p).name: Requirement(p) for p in pins.CUDA_PINS}
    assert set(cuda) == {r.name for r in extra}
    for r in extra:
        pinned = next(iter(cuda[r.name].specifier)).version
        assert r.specifier.contains(pinned), f"{r.name}=={pinned} does not satisfy TensorFlow's {r}"


def test_wheel_check_refuses_wrong_platform_python_and_glibc():
    files = {"tensorflow-cpu": ["tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl",
                                "tensorflow_cpu-2.20.0-cp311-cp311-macosx_12_0_arm64.whl"],
             "numpy": ["numpy-2.4.6-cp312-cp312-macosx_14_0_arm64.whl", "numpy-2.4.6.tar.gz",
                       "numpy-2.4.6-cp311-cp311-manylinux_2_35_x86_64.whl"],
             "six": ["six-1.17.0-py2.py3-none-any.whl"]}
    want = {"tensorflow-cpu": "2.21.0", "numpy": "2.4.6", "six": "1.17.0"}
    # Linux x86_64 at glibc 2.31: the numpy wheel needs glibc 2.35, the sdist does not count
    assert pins.missing_wheels(files, want, "linux-x86_64") == ["numpy==2.4.6"]
    # a Mac: no 2.21.0 wheel for it (2.20.0 does not count), numpy only for Python 3.12
    assert pins.missing_wheels(files, want, "macos-arm64") == ["tensorflow-cpu==2.21.0", "numpy==2.4.6"]
    assert pins.missing_wheels(files, {"six": "1.17.0"}, "macos-x86_64") == []
    # macOS tags cover older releases: a macosx_11_0 wheel installs on the macOS 12 checked here
    assert pins.missing_wheels({"x": ["x-1.0-cp311-cp311-macosx_11_0_arm64.whl"]}, {"x": "1.0"},
                               "macos-arm64") == []


def test_platform_file_holds_only_that_platforms_lines(tmp_path):
    mac = pins.platform_file("macos-arm64", tmp_path).read_text().splitlines()
    assert "tensorflow==" + pins.pins("linux-x86_64")["tensorflow-cpu"] in mac
    assert not any(line.startswith("tensorflow-cpu") or ";" in line for line in mac)
    gpu = pins.platform_file("linux-x86_64", tmp_path, pins.GPU_REQUIREMENTS).read_text()
    assert "tensorflow[and-cuda]==" in gpu


# ---------------------------------------------------------------------------------------------- registry


def test_every_pin_has_a_wheel_on_every_platform():
    """One request per project to the package index; CI has it, offline machines skip."""
    try:
        missing = pins.wheel_check()
    except (urllib.error.URLError, TimeoutError, OSError) as e:
        pytest.skip(f"package index {pins.index_url()} unreachable ({e}); this check needs the network")
    assert set(missing) == {*pins.PLATFORMS, "gpu"}
    assert missing == {p: [] for p in missing}, missing


@pytest.mark.skipif(os.environ.get("GAN_COURSE_RESOLVE") != "1",
                    reason="full pip resolution per platform takes minutes where the index serves no wheel "
                           "metadata; run GAN_COURSE_RESOLVE=1 pytest tests/test_requirements.py, or "
                           "python scripts/pins.py --resolve")
def test_pip_resolves_every_platform_to_exactly_the_pins():
    with tempfile.TemporaryDirectory() as tmp:
        cmds = {p: pins.pip_dry_run(pins.platform_file(p, Path(tmp)), p) for p in pins.PLATFORMS}
        cmds["gpu"] = pins.pip_dry_run(pins.GPU_REQUIREMENTS, "linux-x86_64")
        results = pins.resolve(cmds)
    for key, r in results.items():
        assert r["returncode"] == 0, f"{key}: {r['stderr'][-2000:]}"
        want = pins.pins("linux-x86_64", pins.GPU_REQUIREMENTS) if key == "gpu" else pins.pins(key)
        assert r["installed"] == want, key


# ---------------------------------------------------------------------------------------------- the GPU in the header


class _Stop(Exception):
    pass


def _fake_gpu(monkeypatch, names):
    import tensorflow as tf

    devices = [tf.config.PhysicalDevice(name=f"/physical_device:GPU:{i}", device_type="GPU")
               for i in range(len(names))]
    monkeypatch.setattr(tf.config, "list_physical_devices",
                        lambda kind=None: devices if kind == "GPU" else [])
    monkeypatch.setattr(tf.config.experimental, "get_device_details",
                        lambda d: {"device_name": names[int(d.name.rsplit(":", 1)[1])]})


def test_describe_names_the_gpus_tensorflow_lists(monkeypatch):
    from gan_lib.core import devices

    _fake_gpu(monkeypatch, ["NVIDIA GeForce RTX 3060", "NVIDIA A100"])
    assert devices.gpu_names() == ["NVIDIA GeForce RTX 3060 (/physical_device:GPU:0)",
                                   "NVIDIA A100 (/physical_device:GPU:1)"]
    assert "GPU: NVIDIA GeForce RTX 3060 (/physical_device:GPU:0), NVIDIA A100" in devices.describe()


def test_describe_says_cpu_and_where_to_look_when_the_cuda_build_finds_no_gpu(monkeypatch):
    import tensorflow as tf

    from gan_lib.core import devices

    _fake_gpu(monkeypatch, [])
    monkeypatch.setattr(tf.test, "is_built_with_cuda", lambda: False)
    assert devices.describe().endswith("no GPU: running on the CPU")
    monkeypatch.setattr(tf.test, "is_built_with_cuda", lambda: True)
    assert "nvidia-smi" in devices.describe()


def test_make_trains_header_reports_the_gpu(monkeypatch, quick_mode_env, tmp_path):
    from gan_lib import train as train_mod

    _fake_gpu(monkeypatch, ["NVIDIA Test Card"])

    def stop(*a, **k):
        raise _Stop

    monkeypatch.setattr(train_mod, "build_gan", stop)
    lines = []
    with pytest.raises(_Stop):
        train_mod.train(out=str(tmp_path / "run"), log=lines.append)
    machine = [line for line in lines if line.startswith("Machine:")]
    assert len(machine) == 1 and "GPU: NVIDIA Test Card (/physical_device:GPU:0)" in machine[0], lines
