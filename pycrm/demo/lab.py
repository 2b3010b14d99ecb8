"""A cluster of `pycrm run` nodes on this machine: network namespaces, a shared disk, apache.

Used by `pycrm demo`, the scenario tests and the failover benchmark, so that what the demo
shows is exactly what CI checks.  Everything it creates carries a random per-run prefix,
uses private addresses that exist only inside its own namespaces, and is removed by
:meth:`ClusterLab.close` (it ends only the processes inside its own namespaces).

Topology (one or two links, each a bridge in a hub namespace)::

    <p>-n1 eth0 ─┐                 ┌─ eth1 <p>-n1 (second link, optional)
    <p>-n2 eth0 ─┼─ br0 <p>-hub br1┼─ eth1 <p>-n2
    <p>-n3 eth0 ─┤                 └─ eth1 <p>-n3
    <p>-cl eth0 ─┘  (the client)

Each node's daemon runs in its own mount namespace (``unshare --mount``), so that the shared
ext4 disk (a loop device) is mounted only where the Filesystem resource runs, as on real
machines sharing a disk.  The apache site (config, pages, pid file) lives on that disk.

A "node crash" kills every process in the node's namespaces and pulls its cables; a
"power on" brings the links back with a clean interface (the floating address a dead kernel
held is gone, as after a reboot).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pycrm.demo.apache_site import HTTPD, write_apache_config

IP = "ip"


def _run(argv: Sequence[str], *, check: bool = True, timeout: float = 30) -> str:
    res = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout, check=False)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {res.stderr.strip() or res.returncode}")
    return res.stdout


@dataclass
class LabNode:
    name: str
    ns: str
    index: int
    addrs: list[str]  # one per link
    hub_ports: list[str]  # the bridge-side veth of each link (in the hub namespace)
    home: Path
    proc: subprocess.Popen[bytes] | None = None
    powered: bool = True
    # the node's "init": a process in its namespace for as long as the node is up.  A crash
    # or a fencing kills it with everything else; what ran on the node died with it.
    boot: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.home / "pycrm.toml"

    @property
    def state_dir(self) -> Path:
        return self.home / "state"

    @property
    def run_dir(self) -> Path:
        return self.home / "run"

    @property
    def log(self) -> Path:
        return self.home / "daemon.log"

    @property
    def cib(self) -> Path:
        return self.state_dir / "cib.xml"


@dataclass
class SharedDisk:
    image: Path
    device: str
    mountpoint: Path  # where the Filesystem resource mounts it on every node
    site: Path  # the apache site inside the mounted disk


@dataclass
class ClusterLab:
    nodes: int = 3
    links: int = 1
    profile: str = "default"
    timers: dict[str, str] = field(default_factory=dict)
    python: str = sys.executable
    workdir: Path | None = None
    echo: Callable[[str], None] = lambda text: None
    prefix: str = field(default_factory=lambda: "pc" + secrets.token_hex(3))

    def __post_init__(self) -> None:
        tag = int(self.prefix[2:], 16)
        self._own_workdir = self.workdir is None
        self.root = (
            Path(tempfile.mkdtemp(prefix="pycrm-lab-")) if self.workdir is None else self.workdir
        )
        self.octets = (tag >> 8) % 200 + 20, tag % 250
        self.hub = f"{self.prefix}-hub"
        self.client_ns = f"{self.prefix}-cl"
        self.members: list[LabNode] = []
        self.disk: SharedDisk | None = None
        self._made_ns: list[str] = []
        self.root.chmod(0o755)  # apache (www-data) and the agents read below it
        self.authkeys = self.root / "authkeys"

    # ----------------------------------------------------------------- addresses
    def subnet(self, link: int) -> str:
        a, b = self.octets
        return f"10.{a}.{(b + link) % 256}"

    @property
    def vip(self) -> str:
        return f"{self.subnet(0)}.100"

    @property
    def client_addr(self) -> str:
        return f"{self.subnet(0)}.200"

    def node(self, name: str) -> LabNode:
        for member in self.members:
            if member.name == name:
                return member
        raise KeyError(name)

    # ------------------------------------------------------------------- build
    def build(self) -> None:
        self._add_ns(self.hub)
        for link in range(self.links):
            br = f"br{link}"
            _run([IP, "-n", self.hub, "link", "add", br, "type", "bridge"])
            _run([IP, "-n", self.hub, "link", "set", br, "type", "bridge", "stp_state", "0"])
            _run([IP, "-n", self.hub, "link", "set", br, "type", "bridge", "forward_delay", "0"])
            _run([IP, "-n", self.hub, "link", "set", br, "up"])
        for i in range(1, self.nodes + 1):
            name = f"node{i}"
            ns = f"{self.prefix}-n{i}"
            self._add_ns(ns)
            home = self.root / name
            home.mkdir(mode=0o755)
            addrs, ports = [], []
            for link in range(self.links):
                addr = f"{self.subnet(link)}.{10 + i}"
                port = self._plug(ns, f"eth{link}", f"br{link}", f"{addr}/24", f"n{i}l{link}")
                addrs.append(addr)
                ports.append(port)
            self.members.append(LabNode(name, ns, i, addrs, ports, home))
            self._boot(self.members[-1])
        self._add_ns(self.client_ns)
        self._plug(self.client_ns, "eth0", "br0", f"{self.client_addr}/24", "cl")
        self._write_authkeys()
        self.echo(
            f"lab {self.prefix}: {self.nodes} nodes on {self.subnet(0)}.0/24"
            + (f" and {self.subnet(1)}.0/24" if self.links > 1 else "")
            + f", floating IP {self.vip}"
        )

    def _boot(self, member: LabNode) -> None:
        member.boot = subprocess.Popen(
            [IP, "netns", "exec", member.ns, "sleep", "infinity"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def _add_ns(self, ns: str) -> None:
        _run([IP, "netns", "add", ns])
        self._made_ns.append(ns)
        _run([IP, "-n", ns, "link", "set", "lo", "up"])

    def _plug(self, ns: str, ifname: str, bridge: str, cidr: str, tag: str) -> str:
        """A veth from ``ns`` (named ``ifname``) to ``bridge`` in the hub; the hub side's name."""
        outer = f"{self.prefix}{tag}"[:15]
        inner = f"{self.prefix}{tag}i"[:15]
        _run([IP, "link", "add", inner, "type", "veth", "peer", "name", outer])
        _run([IP, "link", "set", inner, "netns", ns, "name", ifname])
        _run([IP, "link", "set", outer, "netns", self.hub])
        _run([IP, "-n", self.hub, "link", "set", outer, "master", bridge])
        _run([IP, "-n", self.hub, "link", "set", outer, "up"])
        _run([IP, "-n", ns, "addr", "add", cidr, "dev", ifname])
        _run([IP, "-n", ns, "link", "set", ifname, "up"])
        return outer

    def _write_authkeys(self) -> None:
        secret = secrets.token_hex(20)
        fd = os.open(self.authkeys, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(f"auth 1\n1 sha1 {secret}\n")

    def make_disk(self, size_mb: int = 32) -> SharedDisk:
        """A loop-device ext4 holding the apache site, mounted nowhere."""
        image = self.root / "disk.img"
        with open(image, "wb") as fh:
            fh.truncate(size_mb * 1024 * 1024)
        _run(["mkfs.ext4", "-q", "-F", "-L", "pycrmlab", str(image)])
        device = _run(["losetup", "--find", "--show", str(image)]).strip()
        mountpoint = self.root / "srv"
        mountpoint.mkdir(mode=0o755)
        self.disk = SharedDisk(image, device, mountpoint, mountpoint / "www")
        staging = Path(tempfile.mkdtemp(prefix="pycrm-lab-stage-", dir=self.root))
        _run(["mount", device, str(staging)])
        try:
            site = staging / "www"
            write_apache_config(
                site,
                listen=f"{self.vip}:80",
                status_require="local",
                server_name="lab.invalid",
            )
            # the paths inside the config are where the disk is mounted on the nodes
            conf = site / "httpd.conf"
            conf.write_text(conf.read_text().replace(str(staging), str(mountpoint)))
            (site / "htdocs" / "index.html").write_text("<html><body>pycrm lab</body></html>\n")
        finally:
            _run(["umount", str(staging)])
            staging.rmdir()
        return self.disk

    # --------------------------------------------------------------- resources
    def group_cib(
        self,
        *,
        stickiness: int = 0,
        monitor: str = "10s",
        options: Mapping[str, str] | None = None,
        defaults: Mapping[str, str] | None = None,
        extra_resources: str = "",
        extra_constraints: str = "",
        web: str = "apache",
    ) -> bytes:
        """A CIB with the web group (IPaddr2, Filesystem, apache), node1 preferred.

        ``options`` are cluster properties, ``defaults`` resource defaults (meta attributes),
        and the extras are XML added to <resources> and <constraints>.  ``web="builtin"``:
        the web server is Python's http.server under the lab's ``ocf:pycrmlab:httpd``
        (`install_httpd`) instead of apache, serving the same pages."""
        disk = self.disk
        fs = ""
        if disk is not None:
            site = (
                '<primitive id="web-site" class="ocf" provider="pycrm" type="apache">'
                '<instance_attributes id="web-site-ia">'
                f'<nvpair id="web-site-conf" name="configfile" value="{disk.site}/httpd.conf"/>'
                f'<nvpair id="web-site-httpd" name="httpd" value="{HTTPD}"/>'
                f'<nvpair id="web-site-url" name="statusurl"'
                f' value="http://{self.vip}/server-status"/>'
                "</instance_attributes>"
                f"{_ops('web-site', monitor)}</primitive>"
            )
            if web == "builtin":
                site = (
                    '<primitive id="web-site" class="ocf" provider="pycrmlab" type="httpd">'
                    '<instance_attributes id="web-site-ia">'
                    f'<nvpair id="web-site-ip" name="ip" value="{self.vip}"/>'
                    f'<nvpair id="web-site-docroot" name="docroot"'
                    f' value="{disk.site}/htdocs"/>'
                    "</instance_attributes>"
                    f"{_ops('web-site', monitor)}</primitive>"
                )
            elif web != "apache":
                raise ValueError(f"web server {web!r}: apache or builtin")
            fs = (
                '<primitive id="web-fs" class="ocf" provider="pycrm" type="Filesystem">'
                '<instance_attributes id="web-fs-ia">'
                f'<nvpair id="web-fs-dev" name="device" value="{disk.device}"/>'
                f'<nvpair id="web-fs-dir" name="directory" value="{disk.mountpoint}"/>'
                '<nvpair id="web-fs-type" name="fstype" value="ext4"/>'
                "</instance_attributes>"
                f"{_ops('web-fs', monitor)}</primitive>{site}"
            )
        nodes = "".join(f'<node id="{m.index}" uname="{m.name}"/>' for m in self.members)
        meta = dict(defaults or {})
        if stickiness:
            meta["resource-stickiness"] = str(stickiness)
        rsc_defaults = ""
        if meta:
            pairs = "".join(
                f'<nvpair id="rsc-options-{k}" name="{k}" value="{v}"/>' for k, v in meta.items()
            )
            rsc_defaults = (
                f'<rsc_defaults><meta_attributes id="rsc-options">{pairs}'
                "</meta_attributes></rsc_defaults>"
            )
        props = {"stonith-enabled": "false", "cluster-name": "lab", **(options or {})}
        prop_xml = "".join(
            f'<nvpair id="opt-{k}" name="{k}" value="{v}"/>' for k, v in props.items()
        )
        text = f"""<?xml version="1.0"?>
<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0"
     admin_epoch="0">
  <configuration>
    <crm_config><cluster_property_set id="cib-bootstrap-options">{prop_xml}
    </cluster_property_set></crm_config>{rsc_defaults}
    <nodes>{nodes}</nodes>
    <resources>
      <group id="web">
        <primitive id="web-ip" class="ocf" provider="pycrm" type="IPaddr2">
          <instance_attributes id="web-ip-ia">
            <nvpair id="web-ip-ip" name="ip" value="{self.vip}"/>
            <nvpair id="web-ip-mask" name="cidr_netmask" value="24"/>
            <nvpair id="web-ip-nic" name="nic" value="eth0"/>
          </instance_attributes>
          {_ops("web-ip", monitor)}
        </primitive>{fs}
      </group>{extra_resources}
    </resources>
    <constraints>
      <rsc_location id="web-prefers-node1" rsc="web" node="node1" score="100"/>{extra_constraints}
    </constraints>
  </configuration>
  <status/>
</cib>
"""
        return text.encode()

    @property
    def ocf_root(self) -> Path:
        return self.root / "ocf"

    def install_dummy(self) -> None:
        """``ocf:pycrmlab:Dummy`` under the lab's OCF root (see DUMMY_AGENT)."""
        agent = self.ocf_root / "resource.d" / "pycrmlab" / "Dummy"
        agent.parent.mkdir(parents=True, exist_ok=True)
        agent.write_text(DUMMY_AGENT.replace("@ROOT@", str(self.root)))
        agent.chmod(0o755)

    def install_httpd(self) -> None:
        """``ocf:pycrmlab:httpd`` under the lab's OCF root (see HTTPD_AGENT)."""
        agent = self.ocf_root / "resource.d" / "pycrmlab" / "httpd"
        agent.parent.mkdir(parents=True, exist_ok=True)
        text = HTTPD_AGENT.replace("@ROOT@", str(self.root)).replace("@PYTHON@", self.python)
        agent.write_text(text)
        agent.chmod(0o755)

    def inject(self, node: str, action: str, *, always: bool = False) -> None:
        """Make ``action`` of the lab's Dummy resources fail on ``node`` (once, or always)."""
        path = self.node(node).home / (f"fail-{action}" + ("-always" if always else ""))
        path.touch()

    def dummy_holders(self, rsc: str) -> list[str]:
        """Nodes where the lab Dummy ``rsc`` runs (its state file exists) that are powered:
        not crashed, and not switched off by a fencing (its interfaces down)."""
        return [
            m.name
            for m in self.members
            if (m.home / f"dummy-{rsc}.state").exists() and self.powered(m.name)
        ]

    def powered(self, name: str) -> bool:
        """The node is up since its last boot: not crashed (`crash`) and not fenced
        (fence_netns kills every process of the node, its "init" too, even for a reboot,
        after which nothing is started again until `power_on`)."""
        member = self.node(name)
        return member.powered and member.boot is not None and member.boot.poll() is None

    def clear_injection(self, node: str, action: str) -> None:
        for suffix in ("", "-always"):
            (self.node(node).home / f"fail-{action}{suffix}").unlink(missing_ok=True)

    # ------------------------------------------------------------------ config
    def write_config(self, member: LabNode, cib: bytes | None = None, extra: str = "") -> Path:
        member.state_dir.mkdir(mode=0o700, exist_ok=True)
        member.run_dir.mkdir(mode=0o755, exist_ok=True)
        if cib is not None and not member.cib.exists():
            member.cib.write_bytes(cib)
            member.cib.chmod(0o600)
        names = ", ".join(f'"{m.name}"' for m in self.members)
        lines = [
            "[cluster]",
            'name = "lab"',
            f"nodes = [{names}]",
            f'local_node = "{member.name}"',
            f'cib = "{member.cib}"',
            f'state_dir = "{member.state_dir}"',
            f'run_dir = "{member.run_dir}"',
            f'profile = "{self.profile}"',
        ]
        for link in range(self.links):
            peers = ", ".join(f'"{m.addrs[link]}"' for m in self.members)
            lines += ["", "[[link]]", 'type = "ucast"', f'interface = "eth{link}"']
            lines.append(f"peers = [{peers}]")
        lines += ["", "[auth]", f'keyfile = "{self.authkeys}"']
        lines += ["", "[executor]", f'ocf_root = "{self.ocf_root}"']
        if self.timers:
            lines += ["", "[timers]"] + [f'{k} = "{v}"' for k, v in self.timers.items()]
        if extra:
            lines += ["", extra]
        member.config.write_text("\n".join(lines) + "\n")
        return member.config

    def write_ha_d(
        self,
        member: LabNode,
        *,
        auto_failback: str = "on",
        ping: bool = False,
        respawn: str | None = None,
    ) -> Path:
        """A legacy heartbeat v1 /etc/ha.d for ``member``: ha.cf, authkeys, haresources with
        the floating IP, the shared disk, a heartbeat-class script and apache."""
        ha_d = member.home / "ha.d"
        resource_d = ha_d / "resource.d"
        resource_d.mkdir(parents=True, exist_ok=True)
        for wrapper in ("IPaddr2", "Filesystem", "apache"):  # what heartbeat's package ships
            link = resource_d / wrapper
            if not link.exists():
                link.symlink_to(Path("/etc/ha.d/resource.d") / wrapper)
        script = resource_d / "labscript"
        script.write_text(LAB_SCRIPT.replace("@ROOT@", str(self.root)))
        script.chmod(0o755)
        peers = " ".join(m.addrs[0] for m in self.members if m is not member)
        keepalive, deadtime = ("100ms", "400ms") if self.profile == "fast" else ("500ms", "2")
        hacf = [
            f"logfile {member.home}/ha-log",
            f"keepalive {keepalive}",
            f"deadtime {deadtime}",
            "initdead 4",
            "udpport 694",
            f"ucast eth0 {peers}",
            f"auto_failback {auto_failback}",
            *([f"ping {self.client_addr}", f"deadping {deadtime}"] if ping else []),
            *([f"respawn root {respawn}"] if respawn else []),
            *(f"node {m.name}" for m in self.members),
        ]
        (ha_d / "ha.cf").write_text("\n".join(hacf) + "\n")
        keys = ha_d / "authkeys"
        if not keys.exists():
            keys.write_bytes(self.authkeys.read_bytes())
            keys.chmod(0o600)
        (ha_d / "nodeinfo").write_text(member.name + "\n")
        disk = self.disk
        line = [self.members[0].name, f"IPaddr2::{self.vip}/24/eth0"]
        if disk is not None:
            line.append(f"Filesystem::{disk.device}::{disk.mountpoint}::ext4")
        line.append("labscript::hello")
        if disk is not None:
            line.append(f"apache::{disk.site}/httpd.conf")
        (ha_d / "haresources").write_text(" ".join(line) + "\n")
        return ha_d

    def script_holders(self) -> list[str]:
        """Nodes where the lab's heartbeat-class script runs (its state file exists)."""
        return [m.name for m in self.members if (m.home / "labscript.state").exists()]

    # --------------------------------------------------------------- processes
    def start(
        self,
        name: str,
        args: Sequence[str] = (),
        *,
        ha_d: bool = False,
        env: Mapping[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start ``name``'s daemon (``env``: added to this process's environment, e.g.
        systemd's NOTIFY_SOCKET)."""
        member = self.node(name)
        if member.proc is not None and member.proc.poll() is None:
            raise RuntimeError(f"{name}: daemon already running")
        argv = [
            IP, "netns", "exec", member.ns,
            "unshare", "--mount", "--propagation", "private", "--",
            self.python, "-m", "pycrm.cli.main", "run",
        ]  # fmt: skip
        if ha_d:
            argv += [
                "--ha-d", str(member.home / "ha.d"),
                "--state-dir", str(member.state_dir), "--run-dir", str(member.run_dir),
            ]  # fmt: skip
            member.state_dir.mkdir(mode=0o700, exist_ok=True)
            member.run_dir.mkdir(mode=0o755, exist_ok=True)
        else:
            argv += ["--config", str(member.config)]
        argv += list(args)
        log = open(member.log, "ab")  # noqa: SIM115 - the child owns it for its lifetime
        try:
            member.proc = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=None if env is None else {**os.environ, **env},
            )
        finally:
            log.close()
        return member.proc

    def start_all(self, cib: bytes | None = None) -> None:
        """Write every node's configuration (with ``cib`` as its first CIB) and start every
        daemon."""
        for member in self.members:
            self.write_config(member, cib)
        for member in self.members:
            self.start(member.name)

    def stop(self, name: str, timeout: float = 60.0) -> int | None:
        """SIGTERM, as systemd stops it: the daemon moves its resources away first."""
        member = self.node(name)
        proc = member.proc
        if proc is None or proc.poll() is not None:
            return None if proc is None else proc.returncode
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill_daemon(name)
            return None

    def daemon_pids(self, name: str) -> list[int]:
        """The daemon (the python process under ip-netns-exec and unshare)."""
        member = self.node(name)
        pids = []
        for pid in self.ns_pids(member.ns):
            cmd = _cmdline(pid)
            if "pycrm.cli.main" in cmd and "run" in cmd:
                pids.append(pid)
        return pids

    def kill_daemon(self, name: str) -> None:
        """SIGKILL the daemon only: what it started keeps running."""
        member = self.node(name)
        for pid in self.daemon_pids(name):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if member.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                member.proc.wait(10)

    def service_pid(self, name: str) -> int | None:
        """The main process of the web server on node ``name`` (apache's pid file on the
        shared disk as the node sees it, or the built-in server's), None if there is none."""
        member = self.node(name)
        builtin = member.home / "httpd-web-site.pid"
        candidates = [builtin]
        if self.disk is not None:
            site = self.disk.site / "run" / "httpd.pid"
            candidates += [Path(f"/proc/{p}/root{site}") for p in self.ns_pids(member.ns)]
        for path in candidates:
            try:
                pid = int(path.read_text().strip())
            except (OSError, ValueError):
                continue
            if pid in self.ns_pids(member.ns):
                return pid
        return None

    def kill_service(self, name: str) -> int:
        """SIGKILL the web server's main process on ``name``; its PID."""
        pid = self.service_pid(name)
        if pid is None:
            raise RuntimeError(f"{name}: no web server process to kill")
        os.kill(pid, signal.SIGKILL)
        return pid

    def cli(self, name: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """``pycrm ARGS`` as an admin on node ``name`` runs it (its daemon's config)."""
        member = self.node(name)
        argv = [self.python, "-m", "pycrm.cli.main", *args, "--config", str(member.config)]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)

    def crash(self, name: str) -> None:
        """Power loss: every process of the node dies and its cables are pulled."""
        member = self.node(name)
        self.cut(name)
        self._kill_ns(member.ns)
        self._reap(member)
        member.powered = False

    def power_on(self, name: str) -> None:
        """The node boots: nothing of what ran before (processes, if the node was never
        powered off, are killed; the lab Dummy's state is volatile, like /run), clean
        interfaces (no floating address), up, cables back."""
        member = self.node(name)
        self._kill_ns(member.ns)  # whatever still ran (a node never powered off) dies
        for state in member.home.glob("dummy-*.state"):
            state.unlink(missing_ok=True)
        for link in range(self.links):
            _run([IP, "-n", member.ns, "addr", "flush", "dev", f"eth{link}"])
            _run([IP, "-n", member.ns, "addr", "add", f"{member.addrs[link]}/24", "dev",
                  f"eth{link}"])  # fmt: skip
            # fence_netns "off" sets the node's own interfaces down
            _run([IP, "-n", member.ns, "link", "set", f"eth{link}", "up"])
        self.heal(name)
        self._reap(member)
        self._boot(member)
        member.powered = True

    # ----------------------------------------------------------------- fencing
    def stonith_xml(self, rsc: str = "fence-lab", *, monitor: str = "60s", **params: str) -> str:
        """A ``stonith:fence_netns`` primitive that fences every lab node (its namespace
        through ``pcmk_host_map``); ``params`` adds instance attributes (for example
        ``pcmk_delay_base="node1:0;node2:5s"``)."""
        attrs = {"pcmk_host_map": ";".join(f"{m.name}:{m.ns}" for m in self.members), **params}
        pairs = "".join(
            f'<nvpair id="{rsc}-{k}" name="{k}" value="{v}"/>' for k, v in attrs.items()
        )
        return (
            f'<primitive id="{rsc}" class="stonith" type="fence_netns">'
            f'<instance_attributes id="{rsc}-ia">{pairs}</instance_attributes>'
            f'<operations><op id="{rsc}-monitor" name="monitor" interval="{monitor}"/>'
            "</operations></primitive>"
        )

    def fence_agent(self, name: str, action: str) -> subprocess.CompletedProcess[str]:
        """Run fence_netns (from the package) on node ``name``'s namespace, from the host,
        as an admin would: ``-o <action> -n <namespace>``."""
        from ocf.install import fence_launcher_text

        argv = [self.python, "-I", "-S", "-c", fence_launcher_text("fence_netns", self.python)]
        return subprocess.run(
            [*argv, "-o", action, "-n", self.node(name).ns],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def cut(self, name: str, links: Iterable[int] | None = None) -> None:
        member = self.node(name)
        for link in range(self.links) if links is None else links:
            _run([IP, "-n", self.hub, "link", "set", member.hub_ports[link], "down"])

    def heal(self, name: str, links: Iterable[int] | None = None) -> None:
        member = self.node(name)
        for link in range(self.links) if links is None else links:
            _run([IP, "-n", self.hub, "link", "set", member.hub_ports[link], "up"])

    # ------------------------------------------------------------------ audits
    def ns_pids(self, ns: str) -> list[int]:
        """The processes in namespace ``ns``, but for the lab's own stand-in for init."""
        boots = {m.boot.pid for m in self.members if m.boot is not None}
        return [p for p in self._all_pids(ns) if p not in boots]

    def _all_pids(self, ns: str) -> list[int]:
        out = _run([IP, "netns", "pids", ns], check=False)
        return [int(p) for p in out.split() if p.isdigit()]

    def vip_holders(self, *, powered_only: bool = True) -> list[str]:
        holders = []
        for member in self.members:
            if powered_only and not member.powered:
                continue
            out = _run([IP, "-n", member.ns, "-o", "addr", "show"], check=False)
            if f" {self.vip}/" in out:
                holders.append(member.name)
        return holders

    def disk_holders(self) -> list[str]:
        """Nodes whose mount namespace has the shared disk mounted."""
        if self.disk is None:
            return []
        holders = []
        for member in self.members:
            if not member.powered:
                continue
            for pid in self.ns_pids(member.ns):
                try:
                    mounts = Path(f"/proc/{pid}/mounts").read_text()
                except OSError:
                    continue
                if f"{self.disk.device} " in mounts:
                    holders.append(member.name)
                    break
        return holders

    def http(self, path: str = "/", timeout: float = 2.0) -> int:
        """The HTTP status the client gets from the floating IP (0 = no answer)."""
        argv = [
            IP, "netns", "exec", self.client_ns, "curl", "-s", "-o", "/dev/null",
            "-m", str(timeout), "-w", "%{http_code}", f"http://{self.vip}{path}",
        ]  # fmt: skip
        out = _run(argv, check=False, timeout=timeout + 5).strip()
        return int(out) if out.isdigit() else 0

    def status(self, name: str, *args: str) -> str:
        member = self.node(name)
        argv = [self.python, "-m", "pycrm.cli.main", "status", "--run-dir", str(member.run_dir)]
        return _run([IP, "netns", "exec", member.ns, *argv, *args], check=False)

    # ----------------------------------------------------------------- cleanup
    def _kill_ns(self, ns: str) -> None:
        for _ in range(3):
            pids = self._all_pids(ns)
            if not pids:
                return
            for pid in pids:  # only processes inside the lab's own, uniquely named namespace
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)

    @staticmethod
    def _reap(member: LabNode) -> None:
        """Wait for the node's processes of ours that were killed (daemon, init)."""
        for proc in (member.proc, member.boot):
            if proc is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(10)

    def close(self) -> None:
        for member in self.members:
            self._kill_ns(member.ns)
            self._reap(member)
        for ns in reversed(self._made_ns):
            self._kill_ns(ns)
            _run([IP, "netns", "del", ns], check=False)
        self._made_ns.clear()
        if self.disk is not None:
            _run(["losetup", "-d", self.disk.device], check=False)
            self.disk = None
        if self._own_workdir:
            shutil.rmtree(self.root, ignore_errors=True)


LAB_SCRIPT = r"""#!/bin/sh
# A heartbeat resource.d script for the lab: `labscript <arg> start|stop|status`; its state is
# a file per node.  heartbeat decides "running" from the status output.
node="${HA_CURHOST:-unknown}"
state="@ROOT@/$node/labscript.state"
case "$2" in
    start) echo "$1" > "$state"; exit 0 ;;
    stop) rm -f "$state"; exit 0 ;;
    status) if [ -e "$state" ]; then echo "running"; else echo "stopped"; fi; exit 0 ;;
    *) exit 1 ;;
esac
"""

DUMMY_AGENT = r"""#!/bin/sh
# ocf:pycrmlab:Dummy -- a resource that only keeps a state file per node, with failure
# injection for the lab: create <lab>/<node>/fail-<action> to make that action fail once
# (fail-<action>-always: every time).
: "${OCF_RESKEY_CRM_meta_on_node:=unknown}"
dir="@ROOT@/$OCF_RESKEY_CRM_meta_on_node"
state="$dir/dummy-$OCF_RESOURCE_INSTANCE.state"
action="$1"
inject() {
    if [ -e "$dir/fail-$action-always" ]; then exit 1; fi
    if [ -e "$dir/fail-$action" ]; then rm -f "$dir/fail-$action"; exit 1; fi
}
case "$action" in
    meta-data)
        cat <<'XML'
<?xml version="1.0"?>
<resource-agent name="Dummy" version="1.0">
  <version>1.1</version>
  <longdesc lang="en">A lab resource: a state file per node.</longdesc>
  <shortdesc lang="en">Lab dummy</shortdesc>
  <parameters/>
  <actions>
    <action name="start" timeout="20s"/>
    <action name="stop" timeout="20s"/>
    <action name="monitor" timeout="20s" interval="10s"/>
    <action name="meta-data" timeout="5s"/>
  </actions>
</resource-agent>
XML
        exit 0 ;;
    start) inject; mkdir -p "$dir" && touch "$state"; exit 0 ;;
    stop) inject; rm -f "$state"; exit 0 ;;
    monitor) inject; [ -e "$state" ] && exit 0; exit 7 ;;
    validate-all) exit 0 ;;
    *) exit 3 ;;
esac
"""

HTTPD_AGENT = r"""#!/bin/sh
# ocf:pycrmlab:httpd -- Python's http.server on an address (the floating IP), serving a
# directory: the lab's web server where apache2 is not installed.  Its PID is kept in the
# node's lab directory; a PID counts only while its command line is this server's.
: "${OCF_RESKEY_CRM_meta_on_node:=unknown}"
: "${OCF_RESKEY_port:=80}"
dir="@ROOT@/$OCF_RESKEY_CRM_meta_on_node"
pidfile="$dir/httpd-$OCF_RESOURCE_INSTANCE.pid"
url="http://$OCF_RESKEY_ip:$OCF_RESKEY_port/"
running() {
    [ -s "$pidfile" ] || return 1
    pid=$(cat "$pidfile")
    [ -r "/proc/$pid/cmdline" ] || return 1
    tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "http.server --bind $OCF_RESKEY_ip "
}
answers() {
    curl -s -o /dev/null -m 2 "$url"
}
case "$1" in
    meta-data)
        cat <<'XML'
<?xml version="1.0"?>
<resource-agent name="httpd" version="1.0">
  <version>1.1</version>
  <longdesc lang="en">Python's http.server on an address, serving a directory.</longdesc>
  <shortdesc lang="en">Lab web server</shortdesc>
  <parameters>
    <parameter name="ip" required="1" unique="1">
      <longdesc lang="en">Address to listen on</longdesc>
      <shortdesc lang="en">Address</shortdesc>
      <content type="string"/>
    </parameter>
    <parameter name="port">
      <longdesc lang="en">Port</longdesc>
      <shortdesc lang="en">Port</shortdesc>
      <content type="integer" default="80"/>
    </parameter>
    <parameter name="docroot" required="1">
      <longdesc lang="en">Directory to serve</longdesc>
      <shortdesc lang="en">Directory</shortdesc>
      <content type="string"/>
    </parameter>
  </parameters>
  <actions>
    <action name="start" timeout="20s"/>
    <action name="stop" timeout="20s"/>
    <action name="monitor" timeout="20s" interval="10s"/>
    <action name="meta-data" timeout="5s"/>
    <action name="validate-all" timeout="5s"/>
  </actions>
</resource-agent>
XML
        exit 0 ;;
    start)
        if running; then exit 0; fi
        mkdir -p "$dir"
        @PYTHON@ -m http.server --bind "$OCF_RESKEY_ip" --directory "$OCF_RESKEY_docroot" \
            "$OCF_RESKEY_port" </dev/null >/dev/null 2>&1 &
        echo $! > "$pidfile"
        i=0
        while [ $i -lt 100 ]; do
            if answers; then exit 0; fi
            running || exit 1
            sleep 0.1
            i=$((i + 1))
        done
        exit 1 ;;
    stop)
        if running; then
            pid=$(cat "$pidfile")
            kill -TERM "$pid" 2>/dev/null
            i=0
            while [ $i -lt 50 ] && running; do sleep 0.1; i=$((i + 1)); done
            if running; then kill -KILL "$pid" 2>/dev/null; fi
        fi
        rm -f "$pidfile"
        exit 0 ;;
    monitor)
        running || exit 7
        answers && exit 0
        exit 1 ;;
    validate-all) exit 0 ;;
    *) exit 3 ;;
esac
"""


def dummy(rsc: str, *, monitor: str = "2s") -> str:
    """A lab Dummy primitive (``ocf:pycrmlab:Dummy``, see `ClusterLab.install_dummy`)."""
    return (
        f'<primitive id="{rsc}" class="ocf" provider="pycrmlab" type="Dummy">'
        f"{_ops(rsc, monitor)}</primitive>"
    )


def _ops(rsc: str, monitor: str) -> str:
    return (
        "<operations>"
        f'<op id="{rsc}-monitor" name="monitor" interval="{monitor}" timeout="20s"/>'
        f'<op id="{rsc}-start" name="start" interval="0" timeout="40s"/>'
        f'<op id="{rsc}-stop" name="stop" interval="0" timeout="60s"/>'
        "</operations>"
    )


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [p.decode(errors="replace") for p in raw.split(b"\0") if p]
