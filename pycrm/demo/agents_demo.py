"""The agents demo: a floating IP and apache, a crash, and its detection.

Everything runs through the installed OCF agents, exec'd per action with
the environment Pacemaker would pass, so what the demo shows is what a
cluster manager would see.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ocf import install
from pycrm.demo.apache_site import HTTPD, write_apache_config
from pycrm.demo.netlab import DemoNet, run


class Step:
    """Prints one line per step: what was done, the OCF result and how long it took."""

    def __init__(self, echo: Callable[[str], None]) -> None:
        self.echo = echo
        self.failed = False

    def check(self, what: str, ok: bool, detail: str = "") -> None:
        mark = "ok" if ok else "FAILED"
        self.echo(f"  [{mark:>6}] {what}" + (f"  ({detail})" if detail else ""))
        self.failed |= not ok


class Agents:
    def __init__(self, root: Path, net: DemoNet) -> None:
        self.root = root
        self.net = net

    def call(
        self,
        name: str,
        action: str,
        params: dict[str, str],
        *,
        recurring: bool = True,
        ns: str | None = None,
    ) -> tuple[int, str, float]:
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "OCF_ROOT": str(self.root),
            "OCF_RESOURCE_INSTANCE": f"demo-{name.lower()}",
            "OCF_RESKEY_CRM_meta_timeout": "20000",
            "HA_LOGFACILITY": "none",
            **{f"OCF_RESKEY_{k}": v for k, v in params.items()},
        }
        if recurring and action == "monitor":
            env["OCF_RESKEY_CRM_meta_interval"] = "10000"
        argv = [str(self.root / "resource.d" / "pycrm" / name), action]
        if ns:
            argv = self.net.in_ns(ns, argv)
        start = time.monotonic()
        res = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
        elapsed = (time.monotonic() - start) * 1000
        reasons = [ln for ln in res.stderr.splitlines() if ln.startswith("ocf-exit-reason:")]
        reason = reasons[-1].removeprefix("ocf-exit-reason:") if reasons else ""
        return res.returncode, reason, elapsed


def fetch(net: DemoNet, url: str) -> str:
    """The HTTP status a client in the other namespace gets (000 = no answer)."""
    argv = net.in_ns(
        net.client, ["curl", "-s", "-o", "/dev/null", "-m", "3", "-w", "%{http_code}", url]
    )
    return run(argv, check=False).strip() or "000"


def run_demo(echo: Callable[[str], None]) -> int:
    step = Step(echo)
    net = DemoNet()
    workdir = Path(tempfile.mkdtemp(prefix="pycrm-demo-"))
    workdir.chmod(0o755)
    echo("pycrm demo: a floating IP and apache on a private network, watched by pycrm's agents")
    try:
        net.setup()
        vip = f"{net.net}.100"
        step.check(f"namespaces {net.server} and {net.client} on {net.net}.0/24", True)
        install.install(workdir / "ocf", "pycrm")
        agents = Agents(workdir / "ocf", net)
        ip_params = {
            "ip": vip,
            "cidr_netmask": "24",
            "nic": net.nic,
            "network_namespace": net.server,
        }
        config = write_apache_config(
            workdir / "www", listen=f"{vip}:80", status_require="local", server_name="demo.invalid"
        )
        web_params = {
            "configfile": str(config),
            "httpd": HTTPD,
            "envfiles": "",
            "statusurl": f"http://{vip}/server-status",
        }

        rc, why, ms = agents.call("IPaddr2", "start", ip_params)
        step.check(
            f"ocf:pycrm:IPaddr2 start ip={vip} (gratuitous ARP sent)",
            rc == 0,
            f"rc {rc}, {ms:.0f} ms {why}",
        )
        rc, why, ms = agents.call("apache", "start", web_params, ns=net.server)
        step.check("ocf:pycrm:apache start", rc == 0, f"rc {rc}, {ms:.0f} ms {why}")
        code = fetch(net, f"http://{vip}/")
        step.check(f"client GET http://{vip}/ -> {code}", code == "200")
        for name, params, ns in (("IPaddr2", ip_params, None), ("apache", web_params, net.server)):
            rc, why, ms = agents.call(name, "monitor", params, ns=ns)
            step.check(f"{name} monitor: running", rc == 0, f"rc {rc}, {ms:.1f} ms")

        echo("-- crash: kill -9 the httpd master process (Heartbeat v1 would not notice)")
        pid = int((workdir / "www" / "run" / "httpd.pid").read_text().strip())
        os.kill(pid, signal.SIGKILL)
        rc, why, ms = agents.call("apache", "monitor", web_params, ns=net.server)
        meaning = {1: "failed", 7: "not running"}.get(rc, "unexpected")
        detail = f"rc {rc} = {meaning}, {ms:.1f} ms; {why}"
        step.check("apache monitor detects it", rc in (1, 7), detail)
        echo("-- recovery, as Pacemaker or pycrm would do it: stop (cleans up), then start")
        rc, why, ms = agents.call("apache", "stop", web_params, ns=net.server)
        step.check("apache stop", rc == 0, f"rc {rc}, {ms:.0f} ms {why}")
        rc, why, ms = agents.call("apache", "start", web_params, ns=net.server)
        step.check("apache start", rc == 0, f"rc {rc}, {ms:.0f} ms {why}")
        code = fetch(net, f"http://{vip}/")
        step.check(f"client GET http://{vip}/ -> {code}", code == "200")

        echo("-- link failure: the interface carrying the floating IP goes down")
        run(["ip", "-n", net.server, "link", "set", net.nic, "down"])
        rc, why, ms = agents.call("IPaddr2", "monitor", ip_params)
        step.check("IPaddr2 monitor detects it", rc not in (0, 7), f"rc {rc}; {why}")
        run(["ip", "-n", net.server, "link", "set", net.nic, "up"])
        rc, why, ms = agents.call("IPaddr2", "monitor", ip_params)
        step.check("IPaddr2 monitor after link up", rc == 0, f"rc {rc}")

        echo("-- shutdown")
        rc, why, _ = agents.call("apache", "stop", web_params, ns=net.server)
        step.check("apache stop", rc == 0, why)
        rc, why, _ = agents.call("IPaddr2", "stop", ip_params)
        step.check(
            "IPaddr2 stop (address removed)",
            rc == 0 and vip not in run(["ip", "-n", net.server, "-o", "addr"]),
            why,
        )
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        step.check(f"demo aborted: {exc}", False)
    finally:
        net.teardown()
        shutil.rmtree(workdir, ignore_errors=True)
    echo("demo " + ("FAILED" if step.failed else "passed: every step behaved as expected"))
    return 1 if step.failed else 0
