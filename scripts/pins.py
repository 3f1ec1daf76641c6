"""The pinned requirements, per platform, and the GPU file derived from them.

    python scripts/pins.py            # rewrite requirements-gpu.txt from requirements.txt
    python scripts/pins.py --check    # exit 1 if requirements-gpu.txt is out of date
    python scripts/pins.py --wheels   # does every pin have a wheel on every platform? (the index; seconds)
    python scripts/pins.py --resolve  # full pip resolution per platform (minutes if the index serves no metadata)

``requirements.txt`` is the one home of the pins: its TensorFlow lines carry PEP 508 markers
(``; sys_platform == ... and platform_machine == ...``) that pick TensorFlow's build for each
platform. ``requirements-gpu.txt`` is generated from it: the Linux x86_64 pins with
``tensorflow[and-cuda]`` of the same version in place of ``tensorflow_cpu``, plus the CUDA
libraries below, pinned at the versions pip chose for that extra. tests/test_requirements.py
checks both files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging import tags as wheel_tags
from packaging.requirements import Requirement
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
GPU_REQUIREMENTS = ROOT / "requirements-gpu.txt"
PYTHON_VERSION = "3.11"  # what CI runs; pip's --python-version for the resolution checks


def _manylinux(arch: str, glibc_minor: int, oldest: int) -> list[str]:
    """The wheel platform tags pip accepts on a Linux with glibc 2.<glibc_minor>.

    pip expands ``--platform manylinux2014_*`` to the older legacy tags itself but not the
    ``manylinux_2_N`` tags, so every one is listed (as on a real machine).
    """
    tags = [f"manylinux_2_{m}_{arch}" for m in range(glibc_minor, oldest - 1, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    return tags + [f"{name}_{arch}" for m, name in legacy.items() if oldest <= m <= glibc_minor]


#: Each platform a student may use: the marker environment PEP 508 markers are evaluated in,
#: and the tags given to ``pip --platform`` (macOS tags cover that release and older ones).
#: Linux is checked at glibc 2.31 (Ubuntu 20.04, Debian 11) so newer systems are covered too;
#: Windows students use WSL, which is Linux x86_64.
PLATFORMS = {
    "linux-x86_64": dict(env={"sys_platform": "linux", "platform_machine": "x86_64", "platform_system": "Linux"},
                         tags=_manylinux("x86_64", 31, 5)),
    "linux-aarch64": dict(env={"sys_platform": "linux", "platform_machine": "aarch64", "platform_system": "Linux"},
                          tags=_manylinux("aarch64", 31, 17)),
    "macos-arm64": dict(env={"sys_platform": "darwin", "platform_machine": "arm64", "platform_system": "Darwin"},
                        tags=list(wheel_tags.mac_platforms((12, 0), "arm64"))),
    "macos-x86_64": dict(env={"sys_platform": "darwin", "platform_machine": "x86_64", "platform_system": "Darwin"},
                         tags=list(wheel_tags.mac_platforms((12, 0), "x86_64"))),
}
#: What each platform's README row says; macOS is checked at macOS 12 (Monterey), the oldest
#: release TensorFlow 2.21's Apple-silicon wheel supports.

#: What ``tensorflow[and-cuda]`` brings (its ``extra == "and-cuda"`` requirements), pinned at the
#: versions pip resolved for tensorflow 2.21.0 on Linux x86_64 (pip install --dry-run --report).
CUDA_PINS = [
    "nvidia-cublas-cu12==12.9.3.13",
    "nvidia-cuda-cupti-cu12==12.9.79",
    "nvidia-cuda-nvcc-cu12==12.9.86",
    "nvidia-cuda-nvrtc-cu12==12.9.86",
    "nvidia-cuda-runtime-cu12==12.9.79",
    "nvidia-cudnn-cu12==9.28.0.42",
    "nvidia-cufft-cu12==11.4.1.4",
    "nvidia-curand-cu12==10.3.10.19",
    "nvidia-cusolver-cu12==11.7.5.82",
    "nvidia-cusparse-cu12==12.5.10.65",
    "nvidia-nccl-cu12==2.32.3",
    "nvidia-nvjitlink-cu12==12.9.86",
]


class PinError(ValueError):
    """A requirements line that is not an exact pin, or a platform pinned twice."""


def requirements(path: Path = REQUIREMENTS) -> list[Requirement]:
    """Every requirement line of ``path`` (comments and blank lines skipped); each must be ``name==version``."""
    out = []
    for n, line in enumerate(Path(path).read_text().splitlines(), 1):
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        req = Requirement(line)
        specs = list(req.specifier)
        if len(specs) != 1 or specs[0].operator != "==":
            raise PinError(f"{Path(path).name}:{n}: {line!r} is not an exact pin; write name==version.")
        out.append(req)
    return out


def pins(platform: str, path: Path = REQUIREMENTS) -> dict[str, str]:
    """``{canonical name: version}`` of the lines whose marker holds on ``platform`` (a key of :data:`PLATFORMS`)."""
    env = {"python_version": PYTHON_VERSION, "python_full_version": PYTHON_VERSION + ".0", "os_name": "posix",
           "implementation_name": "cpython", "platform_python_implementation": "CPython", "extra": "",
           **PLATFORMS[platform]["env"]}
    out = {}
    for req in requirements(path):
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        name = canonicalize_name(req.name)
        if name in out:
            raise PinError(f"{Path(path).name}: {req.name} is pinned twice for {platform}; "
                           "make the markers of its lines exclusive.")
        out[name] = next(iter(req.specifier)).version
    return out


def tensorflow_pin(platform: str, path: Path = REQUIREMENTS) -> tuple[str, str]:
    """(distribution, version) of the one TensorFlow build pinned for ``platform``."""
    found = [(n, v) for n, v in pins(platform, path).items() if n in ("tensorflow", "tensorflow-cpu")]
    if len(found) != 1:
        raise PinError(f"{Path(path).name}: {len(found)} TensorFlow builds are pinned for {platform} "
                       f"({found}); pin exactly one.")
    return found[0]


def gpu_requirements_text(path: Path = REQUIREMENTS) -> str:
    """The text of requirements-gpu.txt: Linux x86_64's pins with tensorflow[and-cuda] and the CUDA pins."""
    dist, version = tensorflow_pin("linux-x86_64", path)
    rest = {n: v for n, v in pins("linux-x86_64", path).items() if n != dist}
    lines = [f"{n}=={v}" for n, v in rest.items()] + [f"tensorflow[and-cuda]=={version}"] + CUDA_PINS
    lines.sort(key=lambda s: canonicalize_name(Requirement(s).name))
    return ("# GENERATED by 'python scripts/pins.py' from requirements.txt: do not edit; change requirements.txt\n"
            "# (or CUDA_PINS in scripts/pins.py) and re-run it. NVIDIA GPU on Linux x86_64 (or WSL 2):\n"
            f"# 'make venv GPU=1' installs these: requirements.txt's Linux x86_64 pins with TensorFlow {version}'s\n"
            "# own CUDA build, tensorflow[and-cuda], in place of tensorflow_cpu, and the CUDA libraries it brings.\n"
            + "\n".join(lines) + "\n")


def platform_file(platform: str, folder: Path, path: Path = REQUIREMENTS) -> Path:
    """``path``'s pins for ``platform`` with the markers evaluated, written to ``folder``; returns the file.

    pip evaluates markers against the interpreter that runs it, not against ``--platform``, so a
    resolution for another platform must be given that platform's lines only.
    """
    out = Path(folder) / f"{Path(path).stem}-{platform}.txt"
    extras = {canonicalize_name(r.name): f"[{','.join(sorted(r.extras))}]" for r in requirements(path) if r.extras}
    out.write_text("".join(f"{n}{extras.get(n, '')}=={v}\n" for n, v in pins(platform, path).items()))
    return out


def pip_dry_run(requirements_file: Path, platform: str, no_deps: bool = False) -> list[str]:
    """The ``pip install --dry-run`` command that resolves ``requirements_file`` for ``platform``.

    ``--only-binary=:all:`` because pip cannot inspect a source build for another platform;
    ``--use-feature=fast-deps`` reads each wheel's metadata with HTTP range requests instead of
    downloading whole wheels (TensorFlow's is 280 MB) when the index serves no separate metadata.
    """
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
           "--only-binary=:all:", "--python-version", PYTHON_VERSION, "--use-feature=fast-deps",
           "--report", "-", "-r", str(requirements_file)]
    for tag in PLATFORMS[platform]["tags"]:
        cmd += ["--platform", tag]
    if no_deps:
        cmd.append("--no-deps")
    return cmd


def resolve(commands: dict[str, list[str]], timeout: float = 600) -> dict[str, dict]:
    """Run the pip commands side by side; ``{key: {"returncode", "installed": {name: version}, "stderr"}}``."""
    procs = {k: subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k, c in commands.items()}
    out = {}
    for k, p in procs.items():
        stdout, stderr = p.communicate(timeout=timeout)
        installed = {}
        if p.returncode == 0:
            report = json.loads(stdout)
            installed = {canonicalize_name(i["metadata"]["name"]): i["metadata"]["version"]
                         for i in report["install"]}
        out[k] = {"returncode": p.returncode, "installed": installed, "stderr": stderr}
    return out


def supported_tags(platform: str) -> set:
    """The wheel tags CPython :data:`PYTHON_VERSION` accepts on ``platform`` (what pip would accept there)."""
    version = tuple(int(x) for x in PYTHON_VERSION.split("."))
    plats = PLATFORMS[platform]["tags"]
    return set(wheel_tags.cpython_tags(version, platforms=plats)) | set(
        wheel_tags.compatible_tags(version, f"cp{version[0]}{version[1]}", platforms=plats))


def index_url() -> str:
    """The package index pip uses here: ``PIP_INDEX_URL`` if set, else PyPI's simple index."""
    return os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")


def index_files(name: str, timeout: float = 60) -> list[str]:
    """The (not yanked) file names the index lists for project ``name`` (PEP 691 JSON)."""
    req = urllib.request.Request(f"{index_url()}/{canonicalize_name(name)}/",
                                 headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return [f["filename"] for f in json.load(r)["files"] if not f.get("yanked")]


def missing_wheels(files_by_name: dict[str, list[str]], platform_pins: dict[str, str], platform: str) -> list[str]:
    """The pins of ``platform_pins`` with no wheel in ``files_by_name`` that installs on ``platform``."""
    ok_tags = supported_tags(platform)
    missing = []
    for name, version in platform_pins.items():
        found = False
        for filename in files_by_name.get(name, []):
            if not filename.endswith(".whl"):
                continue
            try:
                _, v, _, file_tags = parse_wheel_filename(filename)
            except InvalidWheelFilename:
                continue
            if str(v) == version and file_tags & ok_tags:
                found = True
                break
        if not found:
            missing.append(f"{name}=={version}")
    return missing


def wheel_check(platforms=None, gpu: bool = True, workers: int = 32) -> dict[str, list[str]]:
    """``{platform: [pins without a wheel there]}`` from the index's file lists (one request per project).

    Also ``"gpu"``: requirements-gpu.txt on Linux x86_64. Raises ``urllib.error.URLError`` when the
    index cannot be reached.
    """
    wanted = {p: pins(p) for p in (platforms or PLATFORMS)}
    if gpu:
        wanted["gpu"] = pins("linux-x86_64", GPU_REQUIREMENTS)
    names = sorted({n for p in wanted.values() for n in p})
    with ThreadPoolExecutor(workers) as pool:
        files = dict(zip(names, pool.map(index_files, names)))
    return {p: missing_wheels(files, ps, "linux-x86_64" if p == "gpu" else p) for p, ps in wanted.items()}


def main(argv=None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--wheels" in args:
        status = 0
        for p, missing in wheel_check().items():
            print(f"{p}: " + ("every pin has a wheel" if not missing else "NO WHEEL for " + ", ".join(missing)))
            status |= bool(missing)
        return status
    if "--resolve" in args:
        with tempfile.TemporaryDirectory() as tmp:
            cmds = {p: pip_dry_run(platform_file(p, Path(tmp)), p) for p in PLATFORMS}
            cmds["gpu"] = pip_dry_run(GPU_REQUIREMENTS, "linux-x86_64")
            status = 0
            for k, r in resolve(cmds).items():
                want = pins("linux-x86_64", GPU_REQUIREMENTS) if k == "gpu" else pins(k)
                extra = sorted(set(r["installed"]) - set(want))
                print(f"{k}: " + (f"resolves, {len(r['installed'])} packages" + (
                    f"; NOT PINNED: {', '.join(extra)}" if extra else ", all pinned")
                    if r["returncode"] == 0 else "FAILS\n" + r["stderr"].strip()))
                status |= r["returncode"] != 0 or bool(extra)
        return status
    text = gpu_requirements_text()
    if "--check" in args:
        if GPU_REQUIREMENTS.read_text() != text:
            print("requirements-gpu.txt is out of date: run python scripts/pins.py", file=sys.stderr)
            return 1
        return 0
    GPU_REQUIREMENTS.write_text(text)
    print(f"wrote {GPU_REQUIREMENTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
