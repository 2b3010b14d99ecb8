"""fence_netns: a fence agent whose plugs are network namespaces (the lab's nodes).

The plug is a namespace name as ``ip netns`` knows it (a file in /var/run/netns);
Pacemaker's ``pcmk_host_map`` maps node names to plugs (``node1:lab-n1;node2:lab-n2``).

What "power" means for a namespace:

* **on** (powered): at least one of its non-loopback interfaces is administratively up,
  or at least one process runs in it.  **off**: every non-loopback interface is down and
  no process is left -- nothing can get in or out, nothing runs;
* ``off`` first sets every non-loopback interface down (traffic stops at once), drops the
  addresses that were added after the interface's own one (a floating IP a resource agent
  added: a powered-off machine loses them, so ``on`` cannot bring back a second holder of
  a floating IP; ``keep_addresses`` keeps them), then SIGKILLs every process whose network
  namespace is the plug's (found through ``/proc/<pid>/ns/net``, signalled through a pidfd
  after checking the namespace again, so a reused PID is never hit), again until none is
  left.  Only processes inside that namespace are touched; the agent never kills itself;
* ``on`` sets every non-loopback interface up again.  Processes are not started: booting
  the node (its daemon) is the job of whoever owns it;
* a plug that does not exist is an error (``Failed: Unable to obtain correct plug status or
  plug is not available``), or off with ``missing_as_off``.  ``list`` prints every
  namespace.

Interfaces' "own" address: per interface and address family, the address(es) with the
oldest creation time (``IFA_CACHEINFO`` cstamp); link- and host-scope addresses are always
kept.
"""

from __future__ import annotations

import os
import time

from ocf.fence.agent import COMMON_OPTIONS, EC_STATUS, FenceAgent, FenceFailure
from ocf.fence.options import Option, OptionTable
from ocf.net import netns, rtnl

KILL_ROUNDS = 100  # scans of /proc while killing (each after a short pause)
KILL_PAUSE = 0.05
ARPHRD_LOOPBACK = 772
KEEP_SCOPES = (rtnl.RT_SCOPE_LINK, rtnl.RT_SCOPE_HOST)


def namespaces(run_dir: str = netns.NETNS_RUN_DIR) -> list[str]:
    """Every named network namespace, sorted."""
    try:
        return sorted(e for e in os.listdir(run_dir) if not e.startswith("."))
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise FenceFailure(f"Failed: cannot list {run_dir}: {exc.strerror}") from None


def identity(name: str) -> tuple[int, int] | None:
    """(device, inode) of the namespace ``name`` (what /proc/<pid>/ns/net shows), or None."""
    try:
        st = os.stat(netns.netns_path(name))
    except (FileNotFoundError, ValueError):
        return None
    return st.st_dev, st.st_ino


def pids_in(ident: tuple[int, int]) -> list[int]:
    """Processes whose network namespace is ``ident`` (this process excluded)."""
    me = os.getpid()
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        if _ns_of(int(entry)) == ident:
            out.append(int(entry))
    return out


def _ns_of(pid: int) -> tuple[int, int] | None:
    try:
        st = os.stat(f"/proc/{pid}/ns/net")
    except OSError:  # gone, a zombie, or a kernel thread we may not look at
        return None
    return st.st_dev, st.st_ino


def kill_all(ident: tuple[int, int]) -> int:
    """SIGKILL every process in the namespace until a scan finds none (bounded); returns
    how many were still there at the last scan."""
    import signal  # imports enum: only the actions that kill pay for it

    left = pids_in(ident)
    for _ in range(KILL_ROUNDS):
        if not left:
            return 0
        for pid in left:
            try:
                fd = os.pidfd_open(pid)
            except OSError:
                continue
            try:
                if _ns_of(pid) == ident:  # still the process we found, still in there
                    signal.pidfd_send_signal(fd, signal.SIGKILL)
            except OSError:
                pass
            finally:
                os.close(fd)
        time.sleep(KILL_PAUSE)
        left = pids_in(ident)
    return len(left)


class _InNamespace:
    """``with _InNamespace(name) as rt``: an rtnetlink socket inside namespace ``name``.

    The socket is opened by a short-lived thread that enters the namespace (setns acts on
    the calling thread only); the process itself never joins it.  Had it joined, for that
    moment it would be a process of the fenced node, carrying the fencing node's mounts
    (its shared disk) -- to anyone listing that namespace's processes, the disk would be
    mounted on both nodes.  The socket keeps working in ``name`` from any thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.rt: rtnl.Rtnl | None = None

    def __enter__(self) -> rtnl.Rtnl:
        import threading

        opened: list[rtnl.Rtnl] = []
        failed: list[BaseException] = []

        def open_inside() -> None:
            try:
                netns.enter(self.name)
                opened.append(rtnl.Rtnl())
            except BaseException as exc:  # handed to the caller's thread
                failed.append(exc)

        thread = threading.Thread(target=open_inside, name="fence-netns")
        thread.start()
        thread.join()
        if failed:
            raise failed[0]
        self.rt = opened[0]
        return self.rt

    def __exit__(self, *exc: object) -> None:
        if self.rt is not None:
            self.rt.close()
            self.rt = None


def _links(rt: rtnl.Rtnl) -> list[rtnl.Link]:
    return [link for link in rt.links() if link.arptype != ARPHRD_LOOPBACK]


def floating_addresses(addrs: list[rtnl.Addr]) -> list[rtnl.Addr]:
    """The addresses ``off`` drops: per interface and family, every address created after
    the oldest one, except link- and host-scope addresses."""
    oldest: dict[tuple[int, int], int] = {}
    for addr in addrs:
        if addr.scope in KEEP_SCOPES or addr.created is None:
            continue
        key = (addr.ifindex, addr.family)
        oldest[key] = min(oldest.get(key, addr.created), addr.created)
    return [
        a
        for a in addrs
        if a.scope not in KEEP_SCOPES
        and a.created is not None
        and a.created > oldest[(a.ifindex, a.family)]
    ]


class FenceNetns(FenceAgent):
    name = "fence_netns"
    shortdesc = "Fence agent for network namespaces"
    longdesc = (
        "fence_netns fences a network namespace as if it were a machine on a power switch: "
        "off sets its interfaces down (dropping the floating addresses added after each "
        "interface's own one) and kills every process in it; on sets its interfaces up. "
        "The plug is the namespace name (as ip netns lists it). pycrm's test lab and demo "
        "run their cluster nodes in namespaces and fence them with this agent."
    )
    vendor_url = "https://github.com/pycrm/pycrm"
    table = OptionTable(
        (
            *COMMON_OPTIONS,
            Option(
                "missing_as_off", "--missing-as-off", "Missing port returns OFF instead "
                "of failure", long="missing-as-off", order=200,
            ),
            Option(
                "keep_addresses", "--keep-addresses", "Keep every address of the "
                "interfaces when powering off (default: drop the ones added after each "
                "interface's own address)", long="keep-addresses", order=200,
            ),
        )
    )  # fmt: skip

    def outlets(self) -> dict[str, tuple[str, str | None]]:
        return {name: ("", None) for name in namespaces()}

    def power_status(self, plug: str) -> str | None:
        ident = identity(plug)
        if ident is None:
            return "off" if "missing_as_off" in self.opts else None
        try:
            with _InNamespace(plug) as rt:
                up = any(link.flags & rtnl.IFF_UP for link in _links(rt))
        except OSError as exc:
            self.log("ERROR", f"{plug}: {exc}")
            return None
        return "on" if up or pids_in(ident) else "off"

    def set_power(self, plug: str, action: str) -> None:
        ident = identity(plug)
        if ident is None:
            if "missing_as_off" in self.opts and action == "off":
                return
            raise FenceFailure(EC_STATUS)
        try:
            with _InNamespace(plug) as rt:
                links = _links(rt)
                for link in links:
                    if action == "on":
                        rt.set_up(link.ifindex)
                    elif link.flags & rtnl.IFF_UP:
                        rt.set_down(link.ifindex)
                if action == "off" and "keep_addresses" not in self.opts:
                    indexes = {link.ifindex for link in links}
                    addrs = [a for a in rt.addrs() if a.ifindex in indexes]
                    for addr in floating_addresses(addrs):
                        self.log("DEBUG", f"{plug}: dropping address of ifindex {addr.ifindex}")
                        rt.del_addr(addr.family, addr.ifindex, addr.ip, addr.prefixlen)
        except OSError as exc:
            raise FenceFailure(f"Failed: {plug}: {exc}") from None
        if action == "off":
            left = kill_all(ident)
            if left:
                self.log("WARNING", f"{plug}: {left} process(es) survived SIGKILL so far")


AGENT = FenceNetns()
