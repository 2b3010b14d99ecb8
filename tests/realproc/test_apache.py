"""ocf:pycrm:apache against a real, private apache2 (needs root and apache2).

Each shell-agent weakness from the reference is a test: a 404 page passing
the monitor, a recycled PID passing it and being signalled by stop, the 5 s
sleep of a stopped monitor, a broken config hanging start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from tests.fixtures.apache import ApacheInstance, http_get, write_apache_config
from tests.fixtures.tools import (
    AgentRun,
    InstalledAgents,
    Spawned,
    require,
    require_path,
    require_tool,
)

pytestmark = [pytest.mark.realproc, pytest.mark.root]

SHELL = "/usr/lib/ocf/resource.d/heartbeat/apache"


class Runner:
    """Our agent (and optionally the shell one) on one apache instance."""

    def __init__(self, agents: InstalledAgents, inst: ApacheInstance) -> None:
        self.agents = agents
        self.inst = inst
        # A config without PidFile gets one under HA_VARRUN: keep it private.
        self.varrun = inst.root / "varrun"
        self.varrun.mkdir(exist_ok=True)

    def __call__(
        self,
        action: str,
        *,
        interval_ms: int | None = None,
        timeout_ms: int = 20000,
        **params: str,
    ) -> AgentRun:
        extra: dict[str, str] = {"HA_VARRUN": str(self.varrun)}
        level = params.pop("OCF_CHECK_LEVEL", None)
        if level is not None:
            extra["OCF_CHECK_LEVEL"] = level
        return self.agents.run(
            "apache",
            action,
            self._params(params),
            instance="web",
            interval_ms=interval_ms,
            timeout_ms=timeout_ms,
            extra_env=extra,
            timeout=60,
        )

    def _params(self, params: dict[str, str]) -> dict[str, str]:
        base = {"configfile": str(self.inst.config), "httpd": self.inst.httpd, "envfiles": ""}
        base.update(params)
        return base

    def shell(self, action: str, **params: str) -> AgentRun:
        require_path(SHELL, "resource-agents' apache agent")
        env = {
            "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
            "OCF_ROOT": "/usr/lib/ocf",
            "OCF_RESOURCE_INSTANCE": "web",
            "OCF_RESKEY_CRM_meta_timeout": "20000",
            "HA_VARRUN": str(self.varrun),
        }
        env.update({f"OCF_RESKEY_{k}": v for k, v in self._params(params).items()})
        res = subprocess.run(
            [SHELL, action], env=env, capture_output=True, text=True, timeout=60, check=False
        )
        return AgentRun(res.returncode, res.stdout, res.stderr)


@pytest.fixture
def run(apache_instance: ApacheInstance, installed_agents: InstalledAgents) -> Iterator[Runner]:
    runner = Runner(installed_agents, apache_instance)
    yield runner
    runner("stop")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _wait_listening(host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {host}:{port}")


# ---------------------------------------------------------------- lifecycle
def test_start_monitor_stop_idempotent(run: Runner, apache_instance: ApacheInstance) -> None:
    assert run("monitor").rc == 7
    assert run("validate-all").rc == 0
    started = run("start")
    assert started.rc == 0, started.stderr
    main = apache_instance.main_pid()
    assert main is not None and main in apache_instance.pids()
    assert run("start").rc == 0
    assert apache_instance.main_pid() == main
    assert run("monitor", interval_ms=10000).rc == 0
    assert run("monitor").rc == 0  # probe
    assert run("status").rc == 0
    assert run("stop").rc == 0
    assert apache_instance.pids() == []
    assert not apache_instance.pidfile.exists()
    assert run("stop").rc == 0


def test_stopped_non_probe_monitor_is_7(run: Runner) -> None:
    # The shell agent sleeps 5 s here; ours does not retry at all.
    assert run("monitor", interval_ms=10000).rc == 7
    assert run("monitor").rc == 7


def test_graceful_stop_removes_every_process(run: Runner, apache_instance: ApacheInstance) -> None:
    assert run("start").rc == 0
    pids = apache_instance.pids()
    assert len(pids) >= 2  # main + workers
    stopped = run("stop")
    assert stopped.rc == 0, stopped.stderr
    assert apache_instance.pids() == []
    assert "graceful" not in stopped.stderr  # no "graceful stop did not finish" warning


def test_orphaned_workers_are_swept_by_stop(run: Runner, apache_instance: ApacheInstance) -> None:
    assert run("start").rc == 0
    main = apache_instance.main_pid()
    assert main is not None
    os.kill(main, 9)
    deadline = time.monotonic() + 10
    while _alive(main) and time.monotonic() < deadline:
        time.sleep(0.02)
    res = run("monitor", interval_ms=10000)
    if apache_instance.pids():  # workers outlive their main for a while
        assert res.rc == 1
        assert "without their main process" in res.reason
    else:  # they may have gone during or after the monitor
        assert res.rc in (1, 7)
    assert run("stop").rc == 0
    assert apache_instance.pids() == []


# ------------------------------------------------------------- false positives
def test_404_status_page_fails_where_the_shell_agent_passes(
    run: Runner, apache_instance: ApacheInstance
) -> None:
    assert run("start").rc == 0
    url = f"{apache_instance.base_url}/no-such-page"
    res = run("monitor", interval_ms=10000, statusurl=url)
    assert res.rc == 1
    assert "404" in res.reason
    require_tool("curl")
    # The fixture is sound: the shell agent with curl really passes the 404 page.
    assert run.shell("monitor", statusurl=url, client="curl").rc == 0


def test_recycled_pid_serving_html_is_not_apache(
    run: Runner, apache_instance: ApacheInstance, spawned: Spawned
) -> None:
    require_path(SHELL, "resource-agents' apache agent (it proves the scenario)")
    inst = apache_instance
    assert run("start").rc == 0
    inst.kill_all()  # SIGKILL: the pid file stays behind
    assert inst.pidfile.exists()
    impostor = spawned.popen(
        [sys.executable, "-m", "http.server", "--bind", inst.host, str(inst.port)],
        cwd=inst.docroot,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait_listening(inst.host, inst.port)
    assert http_get(inst.host, inst.port, "/")[1].count("</html>") == 1
    inst.pidfile.write_text(f"{impostor.pid}\n")
    # The shell agent takes the impostor for apache (proves the scenario).
    assert run.shell("monitor").rc == 0
    res = run("monitor", interval_ms=10000)
    assert res.rc in (7, 1)
    assert run("monitor").rc in (7, 1)
    assert run("stop").rc == 0
    assert _alive(impostor.pid), "stop signalled an unrelated process"
    assert impostor.poll() is None


def test_a_twin_in_another_mount_namespace_is_not_ours(
    run: Runner, apache_instance: ApacheInstance, spawned: Spawned
) -> None:
    """Same binary, same config path, another sandbox (a container, say): not ours.

    Found running resource-agents' ocft suite for two agent roots at once:
    the other sandbox's httpd passed for a main process without a pid file.
    """
    require_tool("unshare", "ip")
    require_path(SHELL, "resource-agents' apache agent (the weakness this test pins)")
    inst = apache_instance
    run_dir = inst.pidfile.parent
    # Its own network (lo only) and its own run/ (so its pid file is invisible here).
    script = (
        f"ip link set lo up && mount -t tmpfs pycrm-twin {run_dir}"
        f" && exec {inst.httpd} -f {inst.config} -DFOREGROUND"
    )
    twin = spawned.popen(
        ["unshare", "--mount", "--net", "--propagation", "private", "sh", "-c", script],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while len(inst.pids()) < 2:  # the main process and its workers
        assert twin.poll() is None and time.monotonic() < deadline, "the twin did not start"
        time.sleep(0.05)
    assert run("monitor").rc == 7
    assert run("monitor", interval_ms=10000).rc == 7
    assert run("stop").rc == 0
    assert twin.poll() is None, "stop signalled the other sandbox's httpd"
    assert run("start").rc == 0
    assert run("monitor", interval_ms=10000).rc == 0
    assert run("stop").rc == 0
    assert twin.poll() is None
    # The shell agent's stop of the same (stopped) resource: `pkill -f` finds the twin.
    assert run.shell("stop").rc == 0
    assert twin.wait(timeout=15) is not None


@pytest.mark.timeout(60)
def test_frozen_server_fails_within_the_op_timeout(
    run: Runner, apache_instance: ApacheInstance
) -> None:
    # SIGSTOPped httpd: the kernel still accepts connections, nobody answers.
    # The monitor must give up with a reason before Pacemaker's timeout (4 s
    # here) rather than be SIGKILLed by it; the shell agent's wget just waits.
    inst = apache_instance
    assert run("start").rc == 0
    pids = inst.pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        res = run("monitor", interval_ms=10000, timeout_ms=4000)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)
    assert res.rc == 1
    assert "no complete answer in time" in res.reason or "deadline" in res.reason
    assert run("monitor", interval_ms=10000).rc == 0


def test_testregex_mismatch_fails(run: Runner, apache_instance: ApacheInstance) -> None:
    assert run("start").rc == 0
    # With a user regex the discovered status page is fetched as is (HTML), like the shell agent.
    assert run("monitor", interval_ms=10000, testregex="Apache Server Status for").rc == 0
    auto = apache_instance.status_url
    assert (
        run("monitor", interval_ms=10000, statusurl=auto, testregex="^BusyWorkers: [0-9]+").rc == 0
    )
    res = run("monitor", interval_ms=10000, testregex="no such text")
    assert res.rc == 1
    assert "does not match" in res.reason


def test_statusurl_to_another_page_needs_testregex(
    run: Runner, apache_instance: ApacheInstance
) -> None:
    assert run("start").rc == 0
    index = f"{apache_instance.base_url}/index.html"
    res = run("monitor", interval_ms=10000, statusurl=index)
    assert res.rc == 1
    assert "not a mod_status page" in res.reason
    assert run("monitor", interval_ms=10000, statusurl=index, testregex="pycrm test").rc == 0


# -------------------------------------------------------------------- depth 10
def test_depth_10_testurl_and_testregex10(run: Runner, apache_instance: ApacheInstance) -> None:
    assert run("start").rc == 0
    ok = run(
        "monitor",
        interval_ms=60000,
        OCF_CHECK_LEVEL="10",
        testurl="/index.html",
        testregex10="pycrm [[:alpha:]]+ page",
    )
    assert ok.rc == 0, ok.stderr
    absolute = f"{apache_instance.base_url}/index.html"
    assert (
        run(
            "monitor",
            interval_ms=60000,
            OCF_CHECK_LEVEL="10",
            testurl=absolute,
            testregex10="PYCRM",
        ).rc
        == 0
    )
    bad = run(
        "monitor",
        interval_ms=60000,
        OCF_CHECK_LEVEL="10",
        testurl="/index.html",
        testregex10="not there",
    )
    assert bad.rc == 1
    missing = run("monitor", interval_ms=60000, OCF_CHECK_LEVEL="10", testurl="/missing.html")
    assert missing.rc == 6


def test_depth_10_testconffile_with_testname(run: Runner, apache_instance: ApacheInstance) -> None:
    conf = apache_instance.root / "tests.conf"
    conf.write_text(
        "test first\n  url /no-such-page\n  match anything\nend\n"
        "test second\n  url /index.html\n  match test page\n  client curl\nend\n"
    )
    assert run("start").rc == 0
    params = {"OCF_CHECK_LEVEL": "10", "testconffile": str(conf)}
    assert run("monitor", interval_ms=60000, testname="second", **params).rc == 0
    assert run("monitor", interval_ms=60000, **params).rc == 1  # first block: a 404


# ------------------------------------------------------------------ bad starts
@pytest.mark.timeout(40)
def test_invalid_directive_fails_start_fast(run: Runner, apache_instance: ApacheInstance) -> None:
    with apache_instance.config.open("a") as fh:
        fh.write("BogusDirective on\n")
    res = run("start")
    assert res.rc == 6
    assert "Invalid command 'BogusDirective'" in res.reason
    assert apache_instance.pids() == []
    assert run("validate-all").rc == 6


@pytest.mark.timeout(40)
def test_missing_mime_types_fails_start_fast(run: Runner, apache_instance: ApacheInstance) -> None:
    # `apache2 -t` says Syntax OK here; the server itself exits at start-up.
    text = apache_instance.config.read_text()
    apache_instance.config.write_text(text.replace("/etc/mime.types", "/nonexistent/mime.types"))
    res = run("start")
    assert res.rc == 1
    assert "could not open mime types config file" in res.reason
    assert apache_instance.pids() == []


@pytest.mark.timeout(40)
def test_httpd_dying_after_detach_fails_start_fast(
    run: Runner, apache_instance: ApacheInstance
) -> None:
    # The launcher exits 0 and configtest passes; the detached server then
    # cannot write its pid file and exits. The shell agent waits for its timeout.
    inst = apache_instance
    text = inst.config.read_text().replace(
        f"PidFile {inst.pidfile}", f"PidFile {inst.root}/nodir/x.pid"
    )
    inst.config.write_text(text)
    res = run("start")
    assert res.rc == 1
    assert "httpd exited right after start" in res.reason
    assert "AH00099" in res.reason
    assert inst.pids() == []


@pytest.mark.timeout(40)
def test_port_in_use_fails_start_fast(run: Runner, apache_instance: ApacheInstance) -> None:
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind((apache_instance.host, apache_instance.port))
        blocker.listen(1)
        res = run("start")
    assert res.rc == 1
    assert "could not bind" in res.reason or "Address already in use" in res.reason
    assert apache_instance.pids() == []


def test_stale_pidfile_at_start_is_replaced_without_signalling(
    run: Runner, apache_instance: ApacheInstance, spawned: Spawned
) -> None:
    other = spawned.popen(["sleep", "60"])
    apache_instance.pidfile.write_text(f"{other.pid}\n")
    assert run("monitor").rc == 7
    assert run("start").rc == 0
    assert apache_instance.main_pid() != other.pid
    assert run("stop").rc == 0
    assert other.poll() is None


# ----------------------------------------------------- PidFile from the agent
def test_config_without_pidfile_gets_one_on_the_command_line(
    run: Runner, apache_instance: ApacheInstance
) -> None:
    inst = apache_instance
    write_apache_config(inst.root, listen=inst.listen, pidfile=False)
    assert run("start").rc == 0
    pidfile = run.varrun / "apache2-web.pid"
    pid = int(pidfile.read_text())
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert f"PidFile {pidfile}".encode() in cmdline
    assert run("monitor", interval_ms=10000).rc == 0
    assert run("stop").rc == 0
    assert inst.pids() == []


def test_envfiles_feed_the_config(run: Runner, apache_instance: ApacheInstance) -> None:
    inst = apache_instance
    text = inst.config.read_text().replace(
        f"PidFile {inst.pidfile}", "PidFile ${PYCRM_TEST_RUN}/httpd.pid"
    )
    inst.config.write_text(text)
    envfile = inst.root / "envvars"
    envfile.write_text(
        "# like /etc/apache2/envvars\n"
        'if [ -n "$X" ]; then\n  SUFFIX=-x\nfi\n'
        f"export PYCRM_TEST_RUN='{inst.root}/run'$SUFFIX\n"
        "export LANG=C\n"
    )
    assert run("start", envfiles=str(envfile)).rc == 0
    assert inst.main_pid() is not None
    assert run("monitor", interval_ms=10000, envfiles=str(envfile)).rc == 0
    assert run("stop", envfiles=str(envfile)).rc == 0
    assert inst.pids() == []


# ---------------------------------------------------------------- ocf-tester
@pytest.mark.timeout(180)
def test_ocf_tester_passes(run: Runner, apache_instance: ApacheInstance) -> None:
    require_tool("ocf-tester")
    require_path("/usr/share/resource-agents/ra-api-1.dtd", "resource-agents' DTD")
    argv = ["ocf-tester", "-n", "web"]
    for key, value in run._params({}).items():
        argv += ["-o", f"{key}={value}"]
    argv.append(str(run.agents.path("apache")))
    res = subprocess.run(argv, capture_output=True, text=True, timeout=150, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "passed all tests" in res.stdout


def test_actions_match_the_shell_agent() -> None:
    require_path(SHELL, "resource-agents' apache agent")
    from ocf.agents.apache import AGENT

    env = {**os.environ, "OCF_ROOT": "/usr/lib/ocf"}
    shell_xml = subprocess.run(
        [SHELL, "meta-data"], capture_output=True, env=env, check=True, timeout=30
    ).stdout

    def actions(xml: bytes) -> set[tuple[str, ...]]:
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
        return {
            tuple(a.get(k, "") for k in ("name", "timeout", "interval", "depth"))
            for a in root.iter("action")
        }

    assert actions(AGENT.metadata_xml().encode()) == actions(shell_xml)


# ------------------------------------------------------------- drop-in swaps
@pytest.mark.parametrize("pidfile", [True, False], ids=["PidFile", "no-PidFile"])
def test_instance_started_by_the_shell_agent_is_ours(
    run: Runner, apache_instance: ApacheInstance, pidfile: bool
) -> None:
    inst = apache_instance
    if not pidfile:
        write_apache_config(inst.root, listen=inst.listen, pidfile=False)
    started = run.shell("start")
    assert started.rc == 0, started.stderr
    assert run("monitor", interval_ms=10000).rc == 0
    assert run("stop").rc == 0
    assert inst.pids() == []
    # ... and the other way round.
    assert run("start").rc == 0
    assert run.shell("monitor").rc == 0


def test_validate_all_errors(run: Runner, apache_instance: ApacheInstance) -> None:
    missing = str(apache_instance.root / "missing.conf")
    assert run("validate-all", configfile=missing).rc == 5
    assert run("monitor", configfile=missing).rc == 7  # a probe where nothing is set up
    assert run("validate-all", testconffile=missing).rc == 5
    assert run("validate-all", testurl="  ").rc == 6
    assert run("validate-all", port="http").rc == 6
    assert run("monitor", statusurl="ftp://x/").rc == 6
    assert run("monitor", testregex="(unclosed").rc == 6
    warned = run("validate-all", client="curl")
    assert warned.rc == 0
    assert "client is accepted for compatibility but not used" in warned.stderr


def test_ipv6_listen(run: Runner, apache_instance: ApacheInstance) -> None:
    require(socket.has_ipv6 and Path("/proc/net/if_inet6").exists(), "needs IPv6 on lo")
    inst = apache_instance
    with socket.socket(socket.AF_INET6) as probe:
        probe.bind(("::1", 0))
        port = probe.getsockname()[1]
    write_apache_config(inst.root, listen=f"[::1]:{port}")
    started = run("start")
    assert started.rc == 0, started.stderr
    assert run("monitor", interval_ms=10000).rc == 0
    url = f"http://[::1]:{port}/server-status?auto"
    assert run("monitor", interval_ms=10000, statusurl=url, testregex="BusyWorkers").rc == 0
    assert run("stop").rc == 0


def test_https_status_page(run: Runner, apache_instance: ApacheInstance) -> None:
    require_tool("openssl")
    require_path("/usr/lib/apache2/modules/mod_ssl.so", "apache2 mod_ssl")
    inst = apache_instance
    key, cert = inst.root / "key.pem", inst.root / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    extra = (
        "LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so\n"
        "LoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n"
        "SSLEngine on\n"
        f"SSLCertificateFile {cert}\nSSLCertificateKeyFile {key}\n"
    )
    write_apache_config(inst.root, listen=f"{inst.listen} https", extra=extra)
    started = run("start")
    assert started.rc == 0, started.stderr
    assert run("monitor", interval_ms=10000).rc == 0
    plain = f"http://{inst.listen}/server-status?auto"
    res = run("monitor", interval_ms=10000, statusurl=plain)
    assert res.rc == 1  # plain HTTP to a TLS port: 400 Bad Request
    assert run("stop").rc == 0
