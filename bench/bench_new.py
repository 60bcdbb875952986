"""Benchmark: ``labkit new --no-input`` to the new lab's first page, against ``cookiecutter`` alone
rendering the same template, measured in the same run.

    python bench/bench_new.py [--quick]          # alone: prints the figures and its rows
    python bench/run.py --only new [--quick]     # through the runner, in its one table

Each round, in a fresh temporary folder: the baseline runs ``cookiecutter --no-input`` on the
built-in lab template with its hooks off (the files only); then ``labkit new --no-input`` makes a
lab with every default module (render, check the answers, write the secret, migrate a new SQLite
database, create the administrator) as a real process; then ``labkit serve`` starts on a free
port and ``GET /`` is asked until it answers 200. *labkit new* is the first process's wall time;
*first page* runs from the start of ``labkit new`` to that 200 (what a person waits for after
typing the two commands). Medians of the rounds; the ratio is labkit new over the baseline.
The CPU seconds (user + system) of the same processes are printed too: on a shared, loaded
machine the wall times stretch, while the CPU time stays close to what a quiet machine's wall
time would be (the server's CPU time runs until it is stopped, just after the first page).
Not part of the test suite.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

import httpx  # noqa: E402

from labkit.scaffold import builtin_template  # noqa: E402

DATABASES = ("sqlite",)
ROUNDS = 5
ENVIRONMENT = {key: value for key, value in os.environ.items() if not key.startswith("LABKIT_")}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _children_cpu() -> float:
    """CPU seconds (user + system) of the child processes that ended so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``command``."""
    began, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(command, cwd=cwd, env=ENVIRONMENT, check=True, capture_output=True, timeout=300)
    return time.perf_counter() - began, _children_cpu() - cpu


def _first_page(lab: Path, port: int) -> tuple[float, float]:
    """Wall seconds from starting ``labkit serve`` to a 200 from ``/``, and the server's CPU seconds
    (until it is stopped, right after)."""
    began, cpu = time.perf_counter(), _children_cpu()
    wall = None
    server = subprocess.Popen([sys.executable, "-m", "labkit", "--lab", str(lab), "serve", "--port", str(port)],
                              env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=30).status_code == 200:
                    wall = time.perf_counter() - began
                    break
            except httpx.TransportError:
                if server.poll() is not None or time.perf_counter() - began > 120:
                    raise RuntimeError("labkit serve did not answer") from None
                time.sleep(0.02)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return wall, _children_cpu() - cpu


def one_round(folder: Path) -> dict[str, float]:
    """One measurement of the baseline, labkit new and the first page, in ``folder``."""
    config = folder / "cookiecutter.yaml"  # keep cookiecutter's replay files out of the home folder
    config.write_text(f"cookiecutters_dir: {json.dumps(str(folder / 'cc'))}\n"
                      f"replay_dir: {json.dumps(str(folder / 'cc'))}\n", encoding="utf-8")
    baseline, baseline_cpu = _timed([sys.executable, "-m", "cookiecutter", "--no-input", "--accept-hooks", "no",
                       "--config-file", str(config), "-o", str(folder / "baseline"), str(builtin_template())], folder)
    port = _free_port()
    new, new_cpu = _timed([sys.executable, "-m", "labkit", "new", "--no-input", "--port", str(port), "lab"], folder)
    serve, serve_cpu = _first_page(folder / "lab", port)
    return {"baseline": baseline, "new": new, "first_page": new + serve,
            "baseline_cpu": baseline_cpu, "new_cpu": new_cpu, "first_page_cpu": new_cpu + serve_cpu}


def run(database: str, url: str | None, quick: bool) -> list[dict]:
    """The benchmark's rows (SQLite only: a new lab starts on SQLite)."""
    rounds = 3 if quick else ROUNDS
    results = []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="labkit-bench-new-") as folder:
            results.append(one_round(Path(folder)))
    median = {key: statistics.median(result[key] for result in results) for key in results[0]}
    print(f"labkit new: {median['new']:.2f} s; first page: {median['first_page']:.2f} s; "
          f"baseline (cookiecutter alone): {median['baseline']:.2f} s; "
          f"ratio labkit new / baseline: {median['new'] / median['baseline']:.2f}; "
          f"first page / baseline: {median['first_page'] / median['baseline']:.2f}; "
          f"CPU: labkit new {median['new_cpu']:.2f} s, first page {median['first_page_cpu']:.2f} s, "
          f"baseline {median['baseline_cpu']:.2f} s", file=sys.stderr)
    notes = (f"built-in template, default modules, SQLite; median of {rounds} rounds; CPU time "
             f"(what a quiet machine's wall time approaches): labkit new {median['new_cpu']:.2f} s, "
             f"first page {median['first_page_cpu']:.2f} s, baseline {median['baseline_cpu']:.2f} s")
    baseline = f"cookiecutter alone (no hooks): {median['baseline']:.2f} s"
    return [
        {"benchmark": "labkit new --no-input", "figure": f"{median['new']:.2f} s", "baseline": baseline,
         "ratio": median["new"] / median["baseline"], "notes": notes},
        {"benchmark": "labkit new → first page", "figure": f"{median['first_page']:.2f} s", "baseline": baseline,
         "ratio": median["first_page"] / median["baseline"], "notes": notes + "; then labkit serve until GET / is 200"},
    ]


if __name__ == "__main__":
    for row in run("sqlite", None, "--quick" in sys.argv):
        print(row)
