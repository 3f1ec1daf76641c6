"""Running one grading process isolated and under limits (the machinery behind :mod:`gan_lib.coursework.grade`).

What lives here: the resource :class:`Limits` of one submission's process; the sandboxes
(``bwrap``, ``unshare``, or ``none``), how to probe which of them works on this machine and
pick the strongest (:func:`choose_sandbox`); the environment the child starts with; and
:func:`run_limited`, which starts the command, watches its wall time and printed output, and
kills its process group when a limit is reached. Nothing here knows about notebooks or
exercises (that is :mod:`gan_lib.coursework.grade` and :mod:`gan_lib.coursework.grade_runner`).

Isolation (docs/instructors.md, "What the grading sandbox isolates"): ``bwrap`` (bubblewrap)
or ``unshare`` (unprivileged user, mount, PID, network and IPC namespaces from util-linux,
with a private root that holds only the system's programs, Python, the virtual environment,
``gan_lib`` and, read-only, the committed results in ``runs/``); with ``none`` only the limits
(and the runner's audit hook) apply.
"""

from __future__ import annotations

import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = Path(__file__).resolve().parents[1]
INSIDE_WORK = "/grade"  # where the work folder appears inside a sandbox


@dataclass
class Limits:
    """Resource limits for one submission's process."""

    timeout: float = 1800.0        # wall seconds for the whole notebook
    cell_timeout: float = 900.0    # wall seconds for one cell or one check
    cpu_seconds: int | None = None  # default: 2 x timeout (TensorFlow uses both cores)
    memory_mb: int = 6144          # address space (RLIMIT_AS)
    file_size_mb: int = 64         # largest file it may write (RLIMIT_FSIZE)
    max_output_kb: int = 1024      # what it may print before it is stopped
    quick: bool = False            # grade in quick mode (GAN_COURSE_QUICK=1)

    def cpu(self) -> int:
        return int(self.cpu_seconds or 2 * self.timeout + 10)


class SandboxUnavailable(RuntimeError):
    """The sandbox asked for cannot run on this machine."""


# =========================================================================== sandboxes

_UNSHARE_SCRIPT = r'''set -eu
R="$1"; W="$2"; shift 2
mount -t tmpfs -o size=16m,mode=755 tmpfs "$R"
mkdir -p "$R/tmp" && mount -t tmpfs -o size=256m tmpfs "$R/tmp"   # first: what is bound below may live in /tmp
for d in $RO_DIRS; do mkdir -p "$R$d"; mount --bind "$d" "$R$d"; mount -o remount,bind,ro "$R$d"; done
for f in $RO_FILES; do
  mkdir -p "$R$(dirname "$f")"; touch "$R$f"; mount --bind "$f" "$R$f"; mount -o remount,bind,ro "$R$f"
done
for l in $LINKS; do ln -s "$(readlink "$l")" "$R$l"; done
mkdir -p "$R/dev" "$R/proc" "$R/tmp" "$R/grade"
for f in null zero urandom random; do touch "$R/dev/$f"; mount --bind "/dev/$f" "$R/dev/$f"; done
mount -t proc proc "$R/proc"
mount --bind "$W" "$R/grade"
mkdir "$R/.old"; cd "$R"; pivot_root . .old; umount -l /.old; rmdir /.old
mount -o remount,ro,bind / 2>/dev/null || true
cd /grade
exec setpriv --no-new-privs --bounding-set=-all --inh-caps=-all "$@"
'''


def system_paths():
    """(read-only folders, read-only files, symlinks) a Python process needs, besides the environment."""
    dirs, links = ["/usr"], []
    for d in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(d):
            links.append(d)
        elif os.path.isdir(d):
            dirs.append(d)
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    dirs += sorted(p for p in prefixes if not p.startswith("/usr/") and p != "/usr")
    dirs.append(str(PACKAGE_DIR))
    files = [f for f in ("/etc/ld.so.cache", "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf")
             if os.path.isfile(f)]
    if (ROOT / "pyproject.toml").is_file() and (ROOT / "runs").is_dir():
        # The committed results the lessons load (runs/06_stabilise, runs/11_inversion's generators, ...),
        # read-only, and pyproject.toml, by which gan_lib knows it runs from the repository and finds them.
        # Neither holds a solution; the notebooks, tests and .git stay hidden.
        dirs.append(str(ROOT / "runs"))
        files.append(str(ROOT / "pyproject.toml"))
    return dirs, files, links


def python_executable() -> str:
    """The virtual environment's Python (what the child runs), by its real path: the sandboxes show the
    environment at its real path, not through a symbolic link to it."""
    venv_python = os.path.join(os.path.realpath(sys.prefix), "bin", "python")
    return venv_python if os.path.exists(venv_python) else sys.executable


def sandbox_command(kind: str, tmp: Path, work: Path, argv: list) -> list:
    """The command that runs ``argv`` under sandbox ``kind`` with ``work`` as its only writable folder."""
    dirs, files, links = system_paths()
    if kind == "bwrap":
        cmd = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--die-with-parent", "--new-session",
               "--cap-drop", "ALL",
               "--tmpfs", "/tmp"]  # first: what is bound below may live in /tmp
        for d in dirs:
            cmd += ["--ro-bind", d, d]
        for f in files:
            cmd += ["--ro-bind", f, f]
        for link in links:
            cmd += ["--symlink", os.readlink(link), link]
        cmd += ["--proc", "/proc", "--dev", "/dev", "--bind", str(work), INSIDE_WORK,
                "--chdir", INSIDE_WORK, "--"]
        return cmd + argv
    if kind == "unshare":
        root = tmp / "root"
        root.mkdir(exist_ok=True)
        env_prefix = ["env", f"RO_DIRS={' '.join(dirs)}", f"RO_FILES={' '.join(files)}", f"LINKS={' '.join(links)}"]
        return env_prefix + ["unshare", "--user", "--map-root-user", "--mount", "--pid", "--net", "--ipc", "--uts",
                             "--fork", "--kill-child", "sh", "-c", _UNSHARE_SCRIPT, "sandbox", str(root),
                             str(work)] + argv
    if kind == "none":
        return argv
    raise ValueError(f"unknown sandbox {kind!r}: use auto, bwrap, unshare or none")


_PROBED: dict = {}


def probe(kind: str) -> str | None:
    """None if sandbox ``kind`` works here (it runs Python and hides /root and the repository), else why not."""
    if kind in _PROBED:
        return _PROBED[kind]
    why = None
    if kind == "bwrap" and not shutil.which("bwrap"):
        why = "bwrap (bubblewrap) is not installed"
    elif kind == "unshare" and not (shutil.which("unshare") and shutil.which("setpriv") and shutil.which("pivot_root")
                                    or os.path.exists("/usr/sbin/pivot_root")):
        why = "unshare/setpriv/pivot_root (util-linux) are not installed"
    if why is None:
        tmp = Path(tempfile.mkdtemp(prefix="gan-grade-probe-"))
        try:
            work = tmp / "work"
            work.mkdir()
            code = ("import os, sys; import gan_lib.coursework.exercises; "
                    f"sys.exit(0 if not os.path.exists({str(ROOT / 'tests')!r}) and os.getcwd() == '/grade' else 3)")
            cmd = sandbox_command(kind, tmp, work, [python_executable(), "-c", code])
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=base_env(Path(INSIDE_WORK)))
            if r.returncode != 0:
                why = f"{kind} failed here (rc={r.returncode}): {(r.stderr or r.stdout).strip()[-300:]}"
        except (OSError, subprocess.SubprocessError) as e:
            why = f"{kind} failed here: {e}"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    _PROBED[kind] = why
    return why


def choose_sandbox(requested: str = "auto") -> tuple:
    """(kind, reasons the stronger ones were not used). ``auto`` takes bwrap, then unshare, then none."""
    if requested != "auto":
        why = probe(requested) if requested != "none" else None
        if why:
            raise SandboxUnavailable(why)
        return requested, []
    reasons = []
    for kind in ("bwrap", "unshare"):
        why = probe(kind)
        if why is None:
            return kind, reasons
        reasons.append(why)
    return "none", reasons


NO_SANDBOX_WARNING = (
    "\n" + "!" * 78 + "\n"
    "WARNING: NO SANDBOX. Neither bwrap nor unprivileged user namespaces (unshare -r) work here,\n"
    "so student code runs as YOU, with only resource limits, a temporary working folder and a\n"
    "Python-level guard (an audit hook) that refuses to open files outside it. Code that goes\n"
    "around Python (ctypes, a compiled extension) can read the solutions in notebooks/, your\n"
    "files, and the network. Grade untrusted submissions on a machine with bubblewrap\n"
    "(apt-get install bubblewrap) or with unprivileged user namespaces enabled.\n" + "!" * 78
)


# =========================================================================== the child process


def base_env(work_inside: Path, quick: bool = False) -> dict:
    """The child's whole environment: a fixed PATH, HOME and caches under the work folder, Agg plots,
    quiet TensorFlow, fixed hash seed, and ``GAN_COURSE_QUICK=1`` when ``quick``.

    ``PYTHONPATH`` makes the child import the grader's own ``gan_lib`` (the folder the sandbox
    shows it), not whichever copy the environment has installed: the read guard of
    :mod:`gan_lib.coursework.grade_runner` allows only that folder.
    """
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": str(work_inside), "LANG": "C.UTF-8",
           "PYTHONPATH": str(PACKAGE_DIR.parent),
           "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(work_inside / ".config" / "matplotlib"),
           "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
           "TMPDIR": str(work_inside / "tmp"), "KERAS_HOME": str(work_inside / ".keras")}
    if quick:
        env["GAN_COURSE_QUICK"] = "1"
    return env


def limit_process(limits: Limits):
    """A ``preexec_fn`` that starts a new session and sets the CPU, memory, file size and core limits."""
    def preexec():
        os.setsid()
        cpu = limits.cpu()
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        mem = limits.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        size = limits.file_size_mb * 2**20
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return preexec


def kill(proc) -> None:
    """Kill ``proc``'s whole process group (it was started in its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def death(rc: int) -> str:
    """Words for how a process ended (negative: killed by a signal; >128 from a wrapper: 128 + signal)."""
    sig = -rc if rc < 0 else (rc - 128 if rc > 128 else None)
    names = {signal.SIGXCPU: "CPU time limit reached (SIGXCPU)",
             signal.SIGKILL: "killed (SIGKILL: memory or CPU limit)",
             signal.SIGSEGV: "crashed (segmentation fault)", signal.SIGABRT: "crashed (abort)",
             signal.SIGXFSZ: "file size limit reached (SIGXFSZ)"}
    if sig is not None and sig in {s.value for s in names}:
        return names[signal.Signals(sig)]
    if sig is not None and rc < 0:
        return f"killed by signal {sig}"
    return f"the process ended early (exit code {rc})"


def run_limited(cmd: list, cwd: Path, env: dict, limits: Limits) -> tuple:
    """Run ``cmd`` in its own session under ``limits``; return ``(rc, output, printed, stop)``.

    ``output`` is what it printed (stdout and stderr), cut at the output limit; ``printed`` the
    number of bytes it printed in all; ``stop`` is None, or ``(status, why)`` when it was killed
    for running past ``limits.timeout`` ("timeout") or printing more than the limit ("killed").
    """
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            cwd=cwd, env=env, preexec_fn=limit_process(limits))
    printed, log, stop_reason = 0, bytearray(), None
    cap = limits.max_output_kb * 1024
    deadline = time.monotonic() + limits.timeout
    fd = proc.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            stop_reason = ("timeout", f"the notebook ran longer than {limits.timeout:g} s in all")
            kill(proc)
            break
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        printed += len(chunk)
        if len(log) < cap:
            log += chunk[: cap - len(log)]
        if printed > cap:
            stop_reason = ("killed", f"printed more than {limits.max_output_kb} KB (the output limit)")
            kill(proc)
            break
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        kill(proc)
        rc = proc.wait()
    proc.stdout.close()
    return rc, bytes(log), printed, stop_reason
