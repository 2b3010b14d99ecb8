"""Differential test: our ha.cf / authkeys / haresources checks vs the real heartbeat 3.0.6.

Each case starts the real daemon (``heartbeat -f``) on a copy of /etc/ha.d in
a throw-away network namespace with private mount, UTS (hostname ``probe``)
and PID namespaces, and waits until it either reports a configuration error
(or exits) or gets past configuration and haresources checking (``Heartbeat
generation:`` in its log). Our parsers must accept and reject exactly the
same inputs. The daemon is PID 1 of its PID namespace: killing it by PID
ends everything it started.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import pytest

from heartbeat_compat.config.authkeys import parse_authkeys
from heartbeat_compat.config.errors import HaConfigError
from heartbeat_compat.config.hacf import parse_hacf
from heartbeat_compat.config.haresources import parse_haresources
from tests.fixtures.hblab import find_heartbeat
from tests.fixtures.tools import require, require_root, require_tool, run_prefix

pytestmark = [pytest.mark.realproc, pytest.mark.root]

NODE = "probe"
BASE = (
    f"logfile @LOG@\nlogfacility none\nuse_logd no\nucast lo 127.0.0.1\nnode {NODE}\nrealtime off\n"
)
GOOD_KEYS = "auth 1\n1 sha1 k\n"

HACF_CASES = [
    "",
    "keepalive 2s",
    "keepalive 500ms",
    "keepalive 1.5",
    "keepalive 0",
    "keepalive 1 2",
    "keepalive 2msec",
    "keepalive 2MS",
    "keepalive 2mx",
    "keepalive 2 ms",
    "deadtime 2",
    "deadtime 2001ms",
    "keepalive 5\ndeadtime 10",
    "deadtime 10\ninitdead 5",
    "initdead 0",
    "deadtime 4\ninitdead 5",
    "warntime 0",
    "deadping 1",
    "deadping 2001ms",
    "node Other,x y",
    "Node x",
    "bogus 1",
    "udp lo",
    "udpport 0",
    "hopfudge 256",
    "hopfudge abc",
    "baud 1234",
    "baud 9600\nbaud 9600",
    "auto_failback maybe",
    "auto_failback LEGACY",
    "nice_failback maybe",
    "crm maybe",
    "crm off\npacemaker off",
    "autojoin any",
    "autojoin Other",
    "uuidfrom File",
    "msgfmt Netstring",
    "hbgenmethod Time",
    "compression lzo",
    "compression_threshold 0",
    "traditional_compression maybe",
    "max_rexmit_delay 0",
    "memreserve 0",
    "debug 300",
    "rtprio 0",
    "logfacility Daemon",
    "logfacility local3",
    "conn_logd_time 0",
    "watchdog /dev/null\nwatchdog /dev/null",
    "apiauth foo",
    "apiauth foo user=root",
    "apiauth foo uid=root\napiauth foo gid=root",
    "respawn hacluster bin/true",
    "respawn nosuchuser /bin/true",
    "respawn hacluster /nonexistent",
    "stonith_host *",
    "stonith_host * bogus x",
    "stonith_host * null probe",
    "mcast lo 10.0.0.1 694 1 0",
    "mcast lo 239.0.0.1 694 5 0",
    "mcast lo 239.0.0.1 694 1",
    "ucast lo",
    "ping_group g",
    "normalpoll true",
    "crm off\ncrm_daemon_dir /x",
    "crm on\ncrmd_spawns_pengine 1",
    "keepalive 1 # c\ndeadtime 3#x",
]
AUTH_CASES = [
    ("auth 1\n1 sha1 k\n", 0o600),
    ("1 sha1 k\nauth 1\n", 0o600),
    (GOOD_KEYS, 0o644),
    (GOOD_KEYS, 0o620),
    (GOOD_KEYS, 0o604),
    ("auth 3\n3 crc\n", 0o600),
    ("auth 3\n3 crc key\n", 0o600),
    ("auth 1\n1 sha1\n", 0o600),
    ("auth 2\n1 sha1 k\n", 0o600),
    ("auth1\n1sha1 k\n", 0o600),
    ("authx\n1 sha1 k\n", 0o600),
    ("Auth 1\n1 sha1 k\n", 0o600),
    ("auth 1\n16 sha1 k\n", 0o600),
    ("auth 1\njunk\n1 sha1 k\n", 0o600),
]
HARES_CASES = [
    "probe 10.9.9.9\n",
    "PROBE 10.9.9.9\n",
    "other 10.9.9.9\n",
    "  # c\nprobe a \\\n b\n",
]


def _real_accepts(
    prefix: str, index: int, hacf: str, authkeys: str, mode: int, haresources: str
) -> tuple[bool, str]:
    heartbeat = find_heartbeat()
    assert heartbeat is not None
    ns = f"{prefix}h{index}"
    base = Path(tempfile.mkdtemp(prefix="pycrm-hbprobe-"))
    ha_d, lib, log = base / "ha.d", base / "lib", base / "ha-log"
    shutil.copytree("/etc/ha.d", ha_d, symlinks=True)
    lib.mkdir()
    shutil.chown(lib, "hacluster", "haclient")
    (ha_d / "ha.cf").write_text(hacf.replace("@LOG@", str(log)))
    (ha_d / "authkeys").write_text(authkeys)
    os.chmod(ha_d / "authkeys", mode)
    (ha_d / "haresources").write_text(haresources)
    script = (
        f"hostname {NODE}\n"
        "mount -t tmpfs -o mode=755 tmpfs /run\n"
        "mkdir -p /run/heartbeat/ccm /run/heartbeat/crm /run/heartbeat/dopd "
        "/run/heartbeat/rsctmp /run/resource-agents /run/lock\n"
        f"mount --bind {ha_d} /etc/ha.d\nmount --bind {lib} /var/lib/heartbeat\n"
        f"ip link set lo up\nexec {heartbeat} -f\n"
    )
    subprocess.run(["ip", "netns", "add", ns], check=True)
    proc = subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            ns,
            "unshare",
            "--mount",
            "--uts",
            "--pid",
            "--fork",
            "--mount-proc",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    accepted: bool | None = None
    try:
        deadline = time.monotonic() + 20
        while accepted is None and time.monotonic() < deadline:
            text = log.read_text(errors="replace") if log.exists() else ""
            if "Heartbeat generation:" in text:
                accepted = True
            elif "onfiguration error" in text or proc.poll() is not None:
                accepted = False
            else:
                time.sleep(0.05)
    finally:
        # The daemon is PID 1 of its PID namespace (the only child of unshare):
        # killing it by PID tears the whole namespace down.
        with contextlib.suppress(psutil.Error):
            for child in psutil.Process(proc.pid).children():
                child.send_signal(signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGKILL)
        out = proc.communicate(timeout=20)[0].decode(errors="replace")
        subprocess.run(["ip", "netns", "del", ns], check=False)
        text = (log.read_text(errors="replace") if log.exists() else "") + out
        shutil.rmtree(base, ignore_errors=True)
    assert accepted is not None, f"heartbeat neither started nor failed:\n{text[-2000:]}"
    return accepted, "\n".join(ln for ln in text.splitlines() if "ERROR" in ln)[-1500:]


def _ours(hacf: str, authkeys: str, mode: int, haresources: str) -> bool:
    try:
        cf = parse_hacf(
            hacf.replace("@LOG@", "/dev/null"), "ha.cf", local_node=NODE, check_host=True
        )
        if mode & 0o044:
            return False
        parse_authkeys(authkeys.encode())
        parse_haresources(haresources, nodes=cf.nodes)
    except HaConfigError:
        return False
    return True


def test_same_verdicts_as_heartbeat() -> None:
    require_root()
    require_tool("ip", "unshare")
    require(find_heartbeat() is not None, "needs the heartbeat 3.0.6 daemon")
    cases: list[tuple[str, str, int, str]] = []
    for extra in HACF_CASES:
        cases.append(
            (
                BASE + "crm off\n" + extra + "\n" if "crm " not in extra else BASE + extra + "\n",
                GOOD_KEYS,
                0o600,
                "",
            )
        )
    for keys, mode in AUTH_CASES:
        cases.append((BASE + "crm off\n", keys, mode, ""))
    for hares in HARES_CASES:
        cases.append((BASE + "crm off\n", GOOD_KEYS, 0o600, hares))
    prefix = run_prefix()
    with ThreadPoolExecutor(max_workers=4) as pool:
        real = list(pool.map(lambda ic: _real_accepts(prefix, ic[0], *ic[1]), enumerate(cases)))
    diffs = []
    for case, (accepted, errors) in zip(cases, real, strict=True):
        ours = _ours(*case)
        if ours != accepted:
            diffs.append(
                f"{case!r}: heartbeat {'accepts' if accepted else 'rejects'}, "
                f"pycrm {'accepts' if ours else 'rejects'}\n{errors}"
            )
    assert diffs == [], "\n\n".join(diffs)
    assert sum(1 for a, _ in real if a) >= 10  # both verdicts are exercised
    assert sum(1 for a, _ in real if not a) >= 10
