#!/usr/bin/env python3
"""Monitor latency of pycrm's agents against the resource-agents shell agents.

Both agents monitor the same running resource with the same parameters, in
the same run, with one fork+exec per call as Pacemaker's execd does, and with
the environment Pacemaker passes (recurring monitor at depth 0,
PYTHONDONTWRITEBYTECODE=1). Calls are interleaved so both see the same machine
noise. Prints the machine and the date, then the median of N calls for each
and the ratio ours/shell (target: <= 0.5).

The same work on both sides: IPaddr2 monitors the same address on the same
nic; Filesystem the same device, directory and fstype; apache fetches the same
status URL (the server-status page of the config, passed to both as statusurl)
and each agent checks the answer its own default way.

    sudo /opt/pycrm/venv/bin/python bench/agents.py [-n 30] [--only apache]

Needs root, iproute2, apache2, resource-agents, e2fsprogs. IPaddr2 is timed
from inside a private network namespace (the whole timing loop runs there,
so `ip netns exec` is not part of any measured call).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SHELL_ROOT = "/usr/lib/ocf"


def base_env(ocf_root: str, name: str) -> dict[str, str]:
    return {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "OCF_ROOT": ocf_root,
        "OCF_RA_VERSION_MAJOR": "1",
        "OCF_RA_VERSION_MINOR": "1",
        "OCF_RESOURCE_INSTANCE": f"bench-{name}",
        "OCF_RESOURCE_TYPE": name,
        "OCF_RESKEY_CRM_meta_interval": "10000",
        "OCF_RESKEY_CRM_meta_timeout": "20000",
        "OCF_RESKEY_crm_feature_set": "3.16.1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def one_call(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    rc = subprocess.run(argv, env=env, capture_output=True, check=False).returncode
    return (time.perf_counter() - start) * 1000.0, rc


def compare(
    name: str, ours: list[str], shell: list[str], params: dict[str, str], our_root: str, n: int
) -> dict[str, object]:
    """Interleave n monitor calls of each; both must report the resource running."""
    our_env = {**base_env(our_root, name), **{f"OCF_RESKEY_{k}": v for k, v in params.items()}}
    shell_env = {**base_env(SHELL_ROOT, name), **{f"OCF_RESKEY_{k}": v for k, v in params.items()}}
    for argv, env in ((ours, our_env), (shell, shell_env)):  # warm caches once
        _, rc = one_call([*argv, "monitor"], env)
        if rc != 0:
            raise SystemExit(f"{name}: {argv[0]} monitor returned {rc} on a running resource")
    ours_ms, shell_ms = [], []
    for _ in range(n):
        t, rc = one_call([*ours, "monitor"], our_env)
        ours_ms.append(t)
        assert rc == 0, f"our {name} monitor returned {rc}"
        t, rc = one_call([*shell, "monitor"], shell_env)
        shell_ms.append(t)
        assert rc == 0, f"shell {name} monitor returned {rc}"
    o, s = statistics.median(ours_ms), statistics.median(shell_ms)
    return {
        "agent": name,
        "ours_ms": round(o, 2),
        "shell_ms": round(s, 2),
        "ratio": round(o / s, 3),
    }


def bench_filesystem(our_root: str, n: int) -> dict[str, object]:
    from tests.fixtures.loopfs import destroy_loopfs, make_loopfs

    with tempfile.TemporaryDirectory(prefix="pycrm-bench-fs-") as tmp:
        fs = make_loopfs(Path(tmp))
        params = {"device": fs.device, "directory": str(fs.directory), "fstype": "ext4"}
        ours = [f"{our_root}/resource.d/pycrm/Filesystem"]
        env = {
            **base_env(our_root, "Filesystem"),
            **{f"OCF_RESKEY_{k}": v for k, v in params.items()},
        }
        try:
            subprocess.run([*ours, "start"], env=env, check=True, capture_output=True)
            return compare(
                "Filesystem",
                ours,
                [f"{SHELL_ROOT}/resource.d/heartbeat/Filesystem"],
                params,
                our_root,
                n,
            )
        finally:
            subprocess.run([*ours, "stop"], env=env, check=False, capture_output=True)
            destroy_loopfs(fs)


def bench_apache(our_root: str, n: int) -> dict[str, object]:
    from tests.fixtures.apache import STATUS_LOCATION, cleanup, make_apache_instance

    inst = make_apache_instance()
    # Both fetch the same URL: the server-status page of the config, which is what the
    # shell agent fetches by default (ours would fetch the shorter ?auto form of it).
    # Each checks the answer its own default way: the shell agent greps the HTML for
    # '</ *html *>', ours requires HTTP 200 and mod_status's "Server Version:" line.
    # Given statusurl, the shell agent also skips looking the location up in the config.
    params = {
        "configfile": str(inst.config),
        "httpd": "/usr/sbin/apache2",
        "envfiles": "",
        "statusurl": f"{inst.base_url}{STATUS_LOCATION}",
    }
    ours = [f"{our_root}/resource.d/pycrm/apache"]
    env = {**base_env(our_root, "apache"), **{f"OCF_RESKEY_{k}": v for k, v in params.items()}}
    try:
        subprocess.run([*ours, "start"], env=env, check=True, capture_output=True)
        return compare(
            "apache", ours, [f"{SHELL_ROOT}/resource.d/heartbeat/apache"], params, our_root, n
        )
    finally:
        subprocess.run([*ours, "stop"], env=env, check=False, capture_output=True)
        cleanup(inst)


def bench_ipaddr2(our_root: str, n: int) -> dict[str, object]:
    from tests.fixtures.netns import NetnsLab

    with NetnsLab() as lab:
        a, b = lab.add_ns("bench"), lab.add_ns("peer")
        lab.veth(a, b, a_name="eth0", a_addrs=[lab.v4(1)], b_addrs=[lab.v4(2)])
        ip = lab.v4(50).split("/")[0]
        inner = a.run(
            [sys.executable, __file__, "--inner-ipaddr2", ip, "--ocf-root", our_root, "-n", str(n)],
            timeout=600,
        )
        return dict(json.loads(inner.stdout.strip().splitlines()[-1]))


def inner_ipaddr2(ip: str, our_root: str, n: int) -> None:
    params = {"ip": ip, "cidr_netmask": "24", "nic": "eth0", "arp_count": "1"}
    ours = [f"{our_root}/resource.d/pycrm/IPaddr2"]
    env = {**base_env(our_root, "IPaddr2"), **{f"OCF_RESKEY_{k}": v for k, v in params.items()}}
    subprocess.run([*ours, "start"], env=env, check=True, capture_output=True)
    try:
        result = compare(
            "IPaddr2", ours, [f"{SHELL_ROOT}/resource.d/heartbeat/IPaddr2"], params, our_root, n
        )
    finally:
        subprocess.run([*ours, "stop"], env=env, check=False, capture_output=True)
    print(json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "-n", type=int, default=30, help="calls per agent and side (median of n; >= 20)"
    )
    ap.add_argument("--only", choices=["IPaddr2", "Filesystem", "apache"], action="append")
    ap.add_argument("--ocf-root", help=argparse.SUPPRESS)
    ap.add_argument("--inner-ipaddr2", metavar="IP", help=argparse.SUPPRESS)
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = ap.parse_args()
    if args.inner_ipaddr2:
        inner_ipaddr2(args.inner_ipaddr2, args.ocf_root, args.n)
        return
    if os.geteuid() != 0:
        raise SystemExit("bench/agents.py needs root (namespaces, loop devices, apache)")
    if args.n < 20:
        raise SystemExit("-n must be at least 20")
    from ocf import install

    if not args.json:
        import machine

        print("\n".join(machine.describe(("resource-agents", "apache2"))), flush=True)
    root = tempfile.mkdtemp(prefix="pycrm-bench-ocf-")
    try:
        os.chmod(root, 0o755)
        install.install(root, "pycrm")
        runs = {"IPaddr2": bench_ipaddr2, "Filesystem": bench_filesystem, "apache": bench_apache}
        results = [runs[name](root, args.n) for name in args.only or list(runs)]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"monitor latency, exec per call, median of {args.n} (ms)")
    print(f"{'agent':<12}{'pycrm':>10}{'shell':>10}{'ratio':>9}   target <= 0.5")
    for r in results:
        verdict = "ok" if float(r["ratio"]) <= 0.5 else "MISSED"  # type: ignore[arg-type]
        print(f"{r['agent']:<12}{r['ours_ms']:>10}{r['shell_ms']:>10}{r['ratio']:>9}   {verdict}")


if __name__ == "__main__":
    main()
