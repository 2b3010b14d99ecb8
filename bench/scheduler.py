#!/usr/bin/env python3
"""Benchmark: `pycrm simulate` against Pacemaker's `crm_simulate`, in the same run.

Like for like: ``pycrm simulate -x F -S`` and ``crm_simulate -x F -S``, each started as a
new process with the same flags, both printing the current status, the transition summary,
the executed actions and the revised status.  Runs alternate between the two tools so both
see the same machine noise.  Wall time and CPU time (user + system of the child) are both
reported; the ratio is pycrm / crm_simulate (< 1: pycrm is faster).  The report also says
how far the two outputs agree (identical, the same lines in another order, or different).
A third command alternates with them on the cases: the interpreter started as pycrm's
console script starts it (``-I -S``), importing lxml and click and nothing else.  It is
the floor under any CLI built on those two libraries.

Inputs: the stored upstream scheduler cases (median over all of them) and synthetic CIBs
(pycrm.simulate.synth) of 100 to 5000 primitives.  A run longer than --timeout is
stopped and reported as ">T".  When ``crm_simulate -S`` does not finish, the report also
times ``crm_simulate -R``, its cheapest mode that still schedules, and says what it leaves
out: it prints the current status and the transition summary only (no executed actions,
no revised status), so it is not the same output and gets no ratio.  ``-G`` (the graph
alone) leaves out more.

The in-process rows are what the daemon will pay per transition: ``cib.load`` (parse and
model, no schema validation) and ``schedule``, with every module already imported.  They
have no crm_simulate peer (crm_simulate has no in-process form) and no ratio.

    /opt/pycrm/venv/bin/python bench/scheduler.py [--quick] [--timeout 120]

Run it with the interpreter of an installed pycrm (scripts/install.sh): the pycrm measured
is the console script beside that interpreter.  Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import machine

import cib
import pycrm
from pycrm.scheduler import schedule
from pycrm.simulate.synth import synthetic_cib

ROOT = Path(__file__).resolve().parents[1]


def default_cases() -> Path:
    """The stored cases in $PYCRM_SHARED, ../shared beside the checkout or /work/shared."""
    env = os.environ.get("PYCRM_SHARED")
    candidates = [Path(env)] if env else [ROOT.parent / "shared", Path("/work/shared")]
    for shared in candidates:
        if shared.is_dir():
            return shared / "pacemaker-scheduler-cases" / "xml"
    return candidates[0] / "pacemaker-scheduler-cases" / "xml"


@dataclass
class Run:
    wall: float | None  # seconds; None: stopped at the timeout
    cpu: float  # user + system seconds of the child
    out: bytes


def run_external(argv: list[str], timeout: float) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    try:
        done = subprocess.run(
            argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return Run(None, 0.0, b"")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(wall, cpu, done.stdout)


def alternate(commands: list[list[str]], timeout: float, repeat: int) -> list[list[Run]]:
    """`repeat` rounds of one run of each command; one round only if a run takes over 1 s."""
    runs = [[run_external(argv, timeout)] for argv in commands]
    slow = any(r[0].wall is None or r[0].wall > 1.0 for r in runs)
    for _ in range(0 if slow else repeat - 1):
        for argv, done in zip(commands, runs, strict=True):
            done.append(run_external(argv, timeout))
    return runs


def floor_argv() -> list[str]:
    """The interpreter as pycrm's console script starts it, importing lxml and click only."""
    from ocf.install import import_paths

    code = f"import sys; sys.path += {import_paths()!r}; import lxml.etree, click"
    return [sys.executable, "-I", "-S", "-c", code]


def median_wall(runs: list[Run]) -> float | None:
    walls = [r.wall for r in runs]
    if any(w is None for w in walls):
        return None
    return statistics.median([w for w in walls if w is not None])


def median_cpu(runs: list[Run]) -> float:
    return statistics.median([r.cpu for r in runs])


def agreement(a: bytes, b: bytes) -> tuple[str, int]:
    """How two outputs compare, and how many lines only one of them has."""
    if a == b:
        return "identical", 0
    left, right = Counter(a.splitlines()), Counter(b.splitlines())
    apart = (left - right).total() + (right - left).total()
    return ("reordered" if apart == 0 else "different"), apart


def ms(seconds: float | None, limit: float = 0.0) -> str:
    if seconds is None:
        return f">{limit:.0f} s"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def in_process(path: Path, repeat: int) -> tuple[float, float]:
    """Best of `repeat`: cib.load (parse + model, no schema validation), then schedule."""
    loads, scheds = [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        model = cib.load(path)
        t1 = time.perf_counter()
        schedule(model)
        t2 = time.perf_counter()
        loads.append(t1 - t0)
        scheds.append(t2 - t1)
    return min(loads), min(scheds)


def pycrm_argv() -> list[str]:
    script = Path(sys.executable).with_name("pycrm")
    if script.exists():
        return [str(script)]
    found = shutil.which("pycrm")
    if found:
        return [found]
    return [sys.executable, "-m", "pycrm.cli.main"]


def describe_pycrm(argv: list[str]) -> list[str]:
    where = Path(pycrm.__file__).resolve().parent.parent
    kind = "installed copy" if where.name in ("site-packages", "dist-packages") else "checkout"
    lines = [f"pycrm:    {' '.join(argv)} (imports the {kind} in {where})"]
    try:
        first = Path(argv[0]).read_text().splitlines()[0]
    except (OSError, UnicodeDecodeError, IndexError):
        first = ""
    if first.startswith("#!"):
        lines.append(f"          script's interpreter line: {first}")
    version = subprocess.run(
        ["crm_simulate", "--version"], capture_output=True, text=True, check=False
    )
    lines.append(f"peer:     {version.stdout.splitlines()[0] if version.stdout else '?'}")
    return lines


@dataclass
class Row:
    what: str
    ours: str
    peer: str
    ratio: str


def bench_cases(cases: Path, timeout: float, repeat: int, rows: list[Row]) -> None:
    files = sorted(cases.glob("*.xml"))
    if not files:
        print(f"(no stored cases under {cases}; skipped)")
        return
    pycrm = pycrm_argv()
    ours_w, peer_w, ours_c, peer_c, ratio_w, ratio_c = [], [], [], [], [], []
    floor_w, floor_c = [], []
    verdicts: dict[str, list[str]] = {"identical": [], "reordered": [], "different": []}
    loads, scheds = [], []
    for path in files:
        mine, peer, floor = alternate(
            [
                [*pycrm, "simulate", "-x", str(path), "-S"],
                ["crm_simulate", "-x", str(path), "-S"],
                floor_argv(),
            ],
            timeout,
            repeat,
        )
        mw, pw, fw = median_wall(mine), median_wall(peer), median_wall(floor)
        if mw is None or pw is None or fw is None:
            print(f"  {path.name}: a run exceeded {timeout:.0f} s; case left out")
            continue
        floor_w.append(fw)
        floor_c.append(median_cpu(floor))
        ours_w.append(mw)
        peer_w.append(pw)
        ours_c.append(median_cpu(mine))
        peer_c.append(median_cpu(peer))
        ratio_w.append(mw / pw)
        ratio_c.append(ours_c[-1] / peer_c[-1] if peer_c[-1] else float("nan"))
        verdict, apart = agreement(mine[0].out, peer[0].out)
        verdicts[verdict].append(f"{path.stem} {apart}" if apart else path.stem)
        load, sched = in_process(path, repeat)
        loads.append(load)
        scheds.append(sched)
    n = len(ours_w)
    print(f"\n## {n} upstream scheduler cases, each a new process, same flags (-x CASE -S)")
    print(f"   ({repeat} alternating runs of each tool per case, median per case)\n")
    print(f"{'':28} {'median wall':>12} {'median cpu':>11} {'total wall':>11}")
    for name, walls, cpus in (
        ("crm_simulate -x CASE -S", peer_w, peer_c),
        ("pycrm simulate -x CASE -S", ours_w, ours_c),
        ("python, lxml + click only", floor_w, floor_c),
    ):
        print(
            f"{name:28} {ms(statistics.median(walls)):>12} {ms(statistics.median(cpus)):>11} "
            f"{ms(sum(walls)):>11}"
        )
    rw, rc = statistics.median(ratio_w), statistics.median(ratio_c)
    print(
        f"ratio pycrm / crm_simulate, median of the per-case ratios: wall {rw:.2f}, cpu {rc:.2f}"
        f" (ratio of the medians: wall {statistics.median(ours_w) / statistics.median(peer_w):.2f})"
    )
    fr = statistics.median([f / p for f, p in zip(floor_w, peer_w, strict=True)])
    fc = statistics.median([f / p for f, p in zip(floor_c, peer_c, strict=True)])
    print(
        f"the floor: `python -I -S -c 'import lxml.etree, click'` (no pycrm code, no work) /"
        f" crm_simulate: wall {fr:.2f}, cpu {fc:.2f}"
    )
    print(
        f"output: {len(verdicts['identical'])} identical, {len(verdicts['reordered'])} the same"
        f" lines in another order, {len(verdicts['different'])} different"
        + (
            f" (case, lines only one side prints: {', '.join(verdicts['different'])})"
            if verdicts["different"]
            else ""
        )
    )
    both = [a + b for a, b in zip(loads, scheds, strict=True)]
    print(
        f"\nin-process, what the daemon pays per transition (warm imports, no schema"
        f" validation):\n  cib.load + schedule, best of {repeat}:"
        f" median {ms(statistics.median(both))},"
        f" max {ms(max(both))}, all {n} cases {ms(sum(both))}"
        f" (load {ms(sum(loads))} + schedule {ms(sum(scheds))}); no peer, no ratio"
    )
    rows.append(
        Row(
            f"{n} scheduler cases, median, new process: `simulate -x CASE -S` both",
            f"{ms(statistics.median(ours_w))} (cpu {ms(statistics.median(ours_c))})",
            f"{ms(statistics.median(peer_w))} (cpu {ms(statistics.median(peer_c))})",
            f"{rw:.2f} (cpu {rc:.2f})",
        )
    )
    rows.append(
        Row(
            "floor: the interpreter importing lxml and click, nothing else, new process",
            f"{ms(statistics.median(floor_w))} (cpu {ms(statistics.median(floor_c))})",
            "the same crm_simulate runs",
            f"{fr:.2f} (cpu {fc:.2f})",
        )
    )
    rows.append(
        Row(
            f"the same {n} cases in-process (load + schedule): what the daemon pays per transition",
            f"median {ms(statistics.median(both))}, all {n}: {ms(sum(both))}",
            "none (no in-process form)",
            "n/a",
        )
    )


def bench_synthetic(
    shapes: list[tuple[int, int]], timeout: float, repeat: int, work: Path, rows: list[Row]
) -> None:
    pycrm = pycrm_argv()
    print("\n## synthetic CIBs (pycrm.simulate.synth, seed 1), each a new process, -x CIB -S\n")
    for n_rsc, n_nodes in shapes:
        path = work / f"synth-{n_rsc}-{n_nodes}.xml"
        path.write_text(synthetic_cib(n_rsc, n_nodes))
        mine, peer = alternate(
            [
                [*pycrm, "simulate", "-x", str(path), "-S"],
                ["crm_simulate", "-x", str(path), "-S"],
            ],
            timeout,
            repeat,
        )
        mw, pw = median_wall(mine), median_wall(peer)
        label = f"{n_rsc} resources, {n_nodes} nodes"
        line = f"{label:26} pycrm -S {ms(mw, timeout):>9}   crm_simulate -S {ms(pw, timeout):>9}"
        if mw is not None and pw is not None:
            ratio = f"{mw / pw:.3f}"
            verdict, apart = agreement(mine[0].out, peer[0].out)
            lines = mine[0].out.count(b"\n")
            line += f"   ratio {ratio}   output {verdict}"
            line += f" ({apart} of {lines} lines printed by one side only)" if apart else ""
            rows.append(Row(f"{label}, new process: `-x CIB -S` both", ms(mw), ms(pw), ratio))
        elif mw is not None:
            bound = f"< {mw / timeout:.3f}"
            subset = run_external(["crm_simulate", "-x", str(path), "-R"], timeout)
            line += (
                f"   ratio {bound}\n{'':26} crm_simulate -R {ms(subset.wall, timeout):>9}"
                " (status + summary only: not the same output, no ratio)"
            )
            rows.append(
                Row(
                    f"{label}, new process: `-x CIB -S` both",
                    ms(mw),
                    f"did not finish in {timeout:.0f} s; `-R` (status and summary only, not"
                    f" the same output): {ms(subset.wall, timeout)}",
                    bound,
                )
            )
        print(line, flush=True)
        load, sched = in_process(path, repeat if n_rsc <= 1000 else 1)
        print(
            f"{'':26} in-process load {ms(load)} + schedule {ms(sched)} = {ms(load + sched)}"
            " (what the daemon pays; no ratio)",
            flush=True,
        )
        rows.append(
            Row(
                f"{label}, in-process (load + schedule): what the daemon pays per transition",
                ms(load + sched),
                "none",
                "n/a",
            )
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=120.0, help="per external run (s)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each tool per input")
    parser.add_argument(
        "--synthetic",
        default="100x4,1000x16,5000x32",
        help="synthetic shapes, RESOURCESxNODES,... (empty: none)",
    )
    parser.add_argument("--quick", action="store_true", help="--repeat 3 --synthetic 100x4")
    parser.add_argument("--cases", type=Path, default=default_cases(), help="case directory")
    parser.add_argument("--no-cases", action="store_true")
    args = parser.parse_args()
    if shutil.which("crm_simulate") is None:
        print("crm_simulate not found: install pacemaker-cli-utils", file=sys.stderr)
        return 1
    if args.quick:
        args.repeat, args.synthetic = 3, "100x4"
    shapes = [
        (int(r), int(n)) for r, _, n in (s.partition("x") for s in args.synthetic.split(",") if s)
    ]
    print("\n".join(machine.describe(("pacemaker-cli-utils",))))
    print("\n".join(describe_pycrm(pycrm_argv())))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="pycrm-bench-") as tmp:
        if not args.no_cases:
            bench_cases(args.cases, args.timeout, args.repeat, rows)
        bench_synthetic(shapes, args.timeout, args.repeat, Path(tmp), rows)
    print("\n## as a README table (pycrm / crm_simulate; wall time, cpu = user + system)\n")
    print("| what | pycrm | crm_simulate | ratio |\n|---|---|---|---|")
    for row in rows:
        print(f"| {row.what} | {row.ours} | {row.peer} | {row.ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
