#!/usr/bin/env python3
"""Benchmark: `pycrm simulate` against Pacemaker's `crm_simulate`, in the same run.

Measured per input:

* ``crm -S``      ``crm_simulate -x F -S`` (schedule + simulated execution + text), wall time
* ``crm -G``      ``crm_simulate -x F -Q -G graph`` (schedule + transition graph only)
* ``pycrm exec``  ``pycrm simulate -x F -S`` as a user runs it (fresh process, text to a pipe)
* ``load``        in-process ``cib.load()`` (parse + model), best of --repeat
* ``schedule``    in-process ``pycrm.scheduler.schedule()``, best of --repeat

Inputs: the stored upstream scheduler cases (total and median over all of them) and
synthetic CIBs (pycrm.simulate.synth) of 100/1000/5000 primitives on 4/16/32 nodes.
External runs that exceed --timeout are reported as ">T".  Ratios are pycrm / crm
(< 1 means pycrm is faster).  Not part of the test suite.

    /opt/pycrm/venv/bin/python bench/scheduler.py [--quick] [--timeout 30]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import cib
from pycrm.scheduler import schedule
from pycrm.simulate.synth import synthetic_cib

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT.parent / "shared" / "pacemaker-scheduler-cases" / "xml"


@dataclass
class Timing:
    seconds: float | None  # None: timed out
    limit: float

    def __str__(self) -> str:
        if self.seconds is None:
            return f">{self.limit:.0f}s"
        return f"{self.seconds * 1000:.1f}ms" if self.seconds < 1 else f"{self.seconds:.2f}s"


def _pycrm_argv() -> list[str]:
    script = Path(sys.executable).with_name("pycrm")
    if script.exists():
        return [str(script)]
    found = shutil.which("pycrm")
    if found:
        return [found]
    return [sys.executable, "-m", "pycrm.cli.main"]


def run_external(argv: list[str], timeout: float) -> Timing:
    start = time.perf_counter()
    try:
        subprocess.run(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Timing(None, timeout)
    return Timing(time.perf_counter() - start, timeout)


def in_process(path: Path, repeat: int) -> tuple[float, float]:
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


def ratio(ours: Timing, theirs: Timing) -> str:
    if ours.seconds is None:
        return "n/a"
    if theirs.seconds is None:
        return f"<{ours.seconds / theirs.limit:.3f}"
    return f"{ours.seconds / theirs.seconds:.2f}"


def bench_cases(timeout: float, repeat: int, graph_dir: Path) -> None:
    files = sorted(CASES.glob("*.xml"))
    if not files:
        print(f"(no stored cases under {CASES}; skipped)")
        return
    pycrm = _pycrm_argv()
    crm_s, crm_g, ours, loads, scheds = [], [], [], [], []
    for path in files:
        crm_s.append(run_external(["crm_simulate", "-x", str(path), "-S"], timeout))
        crm_g.append(
            run_external(
                ["crm_simulate", "-x", str(path), "-Q", "-G", str(graph_dir / "g.xml")], timeout
            )
        )
        ours.append(run_external([*pycrm, "simulate", "-x", str(path), "-S"], timeout))
        load, sched = in_process(path, repeat)
        loads.append(load)
        scheds.append(sched)

    def secs(ts: list[Timing]) -> list[float]:
        return [t.seconds if t.seconds is not None else t.limit for t in ts]

    rows = [
        ("crm_simulate -S", secs(crm_s)),
        ("crm_simulate -G", secs(crm_g)),
        ("pycrm simulate -S (exec)", secs(ours)),
        ("pycrm in-process load", loads),
        ("pycrm in-process schedule", scheds),
        ("pycrm in-process load+schedule", [a + b for a, b in zip(loads, scheds, strict=True)]),
    ]
    print(f"\n## {len(files)} upstream scheduler cases (wall time)\n")
    print(f"{'':34} {'total':>10} {'median':>10} {'max':>10}")
    for name, values in rows:
        print(
            f"{name:34} {sum(values) * 1000:9.1f}ms {statistics.median(values) * 1000:9.1f}ms "
            f"{max(values) * 1000:9.1f}ms"
        )
    base_s = sum(secs(crm_s))
    base_g = sum(secs(crm_g))
    print("\nratios (pycrm / crm_simulate, totals):")
    print(f"  exec -S vs crm -S:                 {sum(secs(ours)) / base_s:.2f}")
    print(f"  in-process load+schedule vs crm -S: {(sum(loads) + sum(scheds)) / base_s:.3f}")
    print(f"  in-process load+schedule vs crm -G: {(sum(loads) + sum(scheds)) / base_g:.3f}")


def bench_synthetic(
    sizes: list[int], nodes: list[int], timeout: float, repeat: int, work: Path
) -> None:
    pycrm = _pycrm_argv()
    print("\n## synthetic CIBs (pycrm.simulate.synth, seed 1): scaling\n")
    header = (
        f"{'rsc':>5} {'nodes':>5} {'crm -S':>9} {'crm -G':>9} {'pycrm exec':>10} "
        f"{'load':>9} {'schedule':>9} {'exec/crm-S':>10} {'exec/crm-G':>10} {'inproc/crm-G':>12}"
    )
    print(header)
    print("-" * len(header))
    for n_rsc in sizes:
        for n_nodes in nodes:
            path = work / f"synth-{n_rsc}-{n_nodes}.xml"
            path.write_text(synthetic_cib(n_rsc, n_nodes))
            crm_s = run_external(["crm_simulate", "-x", str(path), "-S"], timeout)
            crm_g = run_external(
                ["crm_simulate", "-x", str(path), "-Q", "-G", str(work / "g.xml")], timeout
            )
            ours = run_external([*pycrm, "simulate", "-x", str(path), "-S"], timeout)
            load, sched = in_process(path, repeat if n_rsc <= 1000 else 1)
            inproc = Timing(load + sched, timeout)
            print(
                f"{n_rsc:>5} {n_nodes:>5} {crm_s!s:>9} {crm_g!s:>9} {ours!s:>10} "
                f"{load * 1000:>7.1f}ms {sched * 1000:>7.1f}ms {ratio(ours, crm_s):>10} "
                f"{ratio(ours, crm_g):>10} {ratio(inproc, crm_g):>12}",
                flush=True,
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=30.0, help="per external run (s)")
    parser.add_argument("--repeat", type=int, default=3, help="in-process repetitions (best)")
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--nodes", default="4,16,32")
    parser.add_argument("--quick", action="store_true", help="sizes 100,1000 on 4,16 nodes")
    parser.add_argument("--no-cases", action="store_true")
    args = parser.parse_args()
    if shutil.which("crm_simulate") is None:
        print("crm_simulate not found: install pacemaker-cli-utils", file=sys.stderr)
        return 1
    sizes = [int(s) for s in args.sizes.split(",")]
    nodes = [int(n) for n in args.nodes.split(",")]
    if args.quick:
        sizes, nodes = [100, 1000], [4, 16]
    with tempfile.TemporaryDirectory(prefix="pycrm-bench-") as tmp:
        work = Path(tmp)
        if not args.no_cases:
            bench_cases(args.timeout, args.repeat, work)
        bench_synthetic(sizes, nodes, args.timeout, args.repeat, work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
