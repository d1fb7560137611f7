"""Measuring builds: each one a child process, timed, with its memory and its process tree's.

Also what the figures are read against: the floor any Python rebuild pays, the facts of the
machine, and the scofeed command being measured.
"""

from __future__ import annotations

import compileall
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# The builds of one case, in the order they run and are reported.
LABELS = ("hugo clean", "scofeed clean", "scofeed no-op", "scofeed one-post")


@dataclass(frozen=True)
class Run:
    seconds: float
    rss_mb: float  # peak RSS of the largest single process in the child's tree (os.wait4)
    tree_mb: float  # peak of the summed PSS of the child and its descendants (sampled)
    processes: int  # the most processes seen in the tree at once
    returncode: int
    stderr: str

    @property
    def peak_mb(self) -> float:
        return max(self.rss_mb, self.tree_mb)


@dataclass
class Case:
    """Every run of one size, by label (see LABELS), and what was noticed on the way."""

    n: int
    runs: dict[str, list[Run]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    floor: dict[str, float] = field(default_factory=dict)  # seconds, see measure_floor

    def add(self, label: str, run: Run) -> None:
        self.runs.setdefault(label, []).append(run)

    def best(self, label: str) -> float | None:
        ok = [r.seconds for r in self.runs.get(label, []) if r.returncode == 0]
        return min(ok) if ok else None

    def peak(self, label: str, attr: str = "peak_mb") -> float | None:
        """The largest memory figure of the label's runs: the target is about the worst one."""
        ok = [float(getattr(r, attr)) for r in self.runs.get(label, []) if r.returncode == 0]
        return max(ok) if ok else None


# --- one build -------------------------------------------------------------------------------


def _descendants(pid: int) -> list[int]:
    """pid and every live process below it, from /proc/PID/task/TID/children."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for tid in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{tid}/children") as f:
                    queue.extend(int(c) for c in f.read().split())
        except OSError:  # gone already
            continue
    return found


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared pages split between the sharers, so a sum over forked
    workers counts the memory they share once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the memory of a process tree: scofeed parses big stores in forked workers, and
    wait4's ru_maxrss is the largest single process, not their sum.

    A sample costs the kernel a walk of every process's page tables (some 20 ms a GB): at a
    fixed 50 ms a million-post build's sampler took 45% of a core from the build it measured
    (on two cores). So it waits nine times as long as its last sample took, 10% of a core at
    most; memory grows slowly next to that."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb, self.processes = 0, 1
        self._done = threading.Event()

    def run(self) -> None:
        while True:
            began = time.perf_counter()
            pids = _descendants(self.pid)
            self.processes = max(self.processes, len(pids))
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in pids))
            took = time.perf_counter() - began
            if self._done.wait(max(self.interval, 9 * took)):
                return

    def stop(self) -> None:
        self._done.set()
        self.join()


def output_size(out: Path) -> tuple[int, int]:
    """The files below `out` and their bytes (os.walk: a million-post site has 1.4 million)."""
    count = size = 0
    for folder, _, names in os.walk(out):
        for name in names:
            count += 1
            size += os.stat(os.path.join(folder, name)).st_size
    return count, size


def run_measured(cmd: Sequence[str | Path], cwd: Path) -> Run:
    """Run cmd: its wall time, and its memory (os.wait4 for the largest process, exact; a
    sampler for the whole tree)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                [str(c) for c in cmd], cwd=cwd, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=err,
            )  # fmt: skip
        except OSError as exc:
            return Run(0.0, 0.0, 0.0, 0, 127, f"{cmd[0]}: {exc}")
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)  # Popen must not wait again
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Run(
        seconds=seconds,
        rss_mb=usage.ru_maxrss * 1024 / 1e6,  # Linux reports KiB; RUSAGE_BOTH of the child
        tree_mb=sampler.peak_kb * 1024 / 1e6,
        processes=sampler.processes,
        returncode=proc.returncode,
        stderr=stderr,
    )


# --- the floor -------------------------------------------------------------------------------

# What a rebuild in Python cannot avoid, whatever scofeed's own code does: starting Python,
# importing the libraries that parse, render and check one changed post (the CLI library and
# the dependencies the design card names), and a stat of every post file to see what changed.
FLOOR_IMPORTS = "import click, yaml, lxml.etree, feedgen.feed, pyromark, nh3"


def scofeed_python(scofeed: Sequence[str]) -> str:
    """The interpreter the scofeed command runs on: the venv's, beside its script."""
    beside = Path(scofeed[0]).parent / "python"
    return str(beside) if scofeed[0] != sys.executable and beside.exists() else sys.executable


def measure_floor(python: str, posts: Path, repeat: int) -> dict[str, float]:
    def best(code: str, *args: str) -> float:
        runs = [run_measured([python, "-c", code, *args], cwd=posts) for _ in range(repeat)]
        return min(r.seconds for r in runs)

    start = best("pass")
    imports = best(FLOOR_IMPORTS) - start
    stats = best("import os, sys; [e.stat() for e in os.scandir(sys.argv[1])]", str(posts))
    return {"python start": start, "imports": imports, "stat posts": stats - start}


# --- the scofeed being measured --------------------------------------------------------------


def find_scofeed() -> list[str]:
    """The venv's `scofeed` script, else this checkout's package run by this Python."""
    beside = Path(sys.executable).parent / "scofeed"
    if beside.is_file():
        return [str(beside)]
    # Before `pip install -e .`: the children inherit the checkout on their path.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p
    )
    return [sys.executable, "-m", "scofeed"]


def compile_bytecode() -> str:
    """Compile this checkout's scofeed to bytecode, as `pip install` does for an installed
    package. An editable install otherwise leaves it to the first run, and where
    PYTHONDONTWRITEBYTECODE is set (as on these machines) every run compiles every module
    again, some 30 ms that no installed scofeed pays."""
    ok = compileall.compile_dir(REPO_ROOT / "scofeed", quiet=1)
    return "compiled" if ok else "could not be compiled (see above)"


# --- the machine -----------------------------------------------------------------------------


def _first_line(cmd: Sequence[str | Path]) -> str:
    try:
        done = subprocess.run(
            [str(c) for c in cmd], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unavailable ({exc})"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else f"unavailable (exit {done.returncode})"


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine_facts(hugo: Path, scofeed: Sequence[str]) -> dict[str, str]:
    return {
        **host_facts(),
        "hugo": _first_line([hugo, "version"]),
        "scofeed": _first_line([*scofeed, "--version"]),
    }


def host_facts() -> dict[str, str]:
    """The machine a benchmark ran on: CPU, cores, memory, system, load, Python."""
    cpu = platform.processor() or "unknown"
    mem = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": cpu,
        "cores": f"{os.cpu_count()} ({usable} usable)",
        "ram": mem,
        "os": f"{platform.system()} {platform.release()}",
        "load": f"{load_average()} (1, 5, 15 min; other work on the machine skews times)",
        "python": platform.python_version(),
    }
