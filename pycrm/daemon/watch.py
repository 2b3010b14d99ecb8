"""Service-level watching: run a resource's monitor the moment its service breaks.

Two event sources, both file descriptors in the daemon's one selectors loop:

* **pidfds** (``os.pidfd_open``): an agent that knows its service's main process reports it
  (``ocf-main-pid:<pid>`` on stderr, see docs/daemon.md); when that process exits, the
  resource's monitor runs at once instead of at its next interval.
* **netlink** (rtnetlink multicast groups ``RTMGRP_LINK`` and ``RTMGRP_IPV4_IFADDR``): when
  the interface under a floating address goes down or loses carrier, or the address itself
  disappears, that IPaddr2 resource's monitor runs at once.  The messages are decoded by
  ``ocf.net.rtnl``, the same parser the IPaddr2 agent's monitor uses (so "the link is down"
  means the same thing to both).  pyroute2 was measured for this job and left out: importing
  its decoder adds 12.4 MB to the daemon's resident memory (29.6 -> 42.0 MB on this
  machine, beyond the 40 MB footprint budget) and 0.46 s to its start, for two message
  types.

:class:`WatchTable` is the pure part (which resource cares about which event);
:class:`PidWatcher` and :class:`LinkWatcher` are the shells.  ``trigger(rsc, reason)`` is the
callback into the executor (``run_monitor_now``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field

from ocf.net import rtnl

Trigger = Callable[[str, str], None]

RTMGRP_LINK = 0x1
RTMGRP_IPV4_IFADDR = 0x10


@dataclass(frozen=True)
class LinkEvent:
    kind: str  # link (state change), addr-new, addr-del
    index: int
    ifname: str | None = None
    up: bool = True  # link: administratively up and carrier present
    address: str | None = None


@dataclass
class WatchTable:
    """Which resource watches which address (and so which interface)."""

    addresses: dict[str, str] = field(default_factory=dict)  # rsc -> ip
    index_of: dict[str, int] = field(default_factory=dict)  # ip -> ifindex holding it
    link_up: dict[int, bool] = field(default_factory=dict)

    def watch_address(self, rsc: str, ip: str, index: int | None) -> None:
        self.addresses[rsc] = ip
        if index is not None:
            self.index_of[ip] = index

    def forget(self, rsc: str) -> None:
        self.addresses.pop(rsc, None)

    def match(self, event: LinkEvent) -> list[tuple[str, str]]:
        """(resource, reason) pairs whose monitor must run now."""
        hits: list[tuple[str, str]] = []
        if event.kind == "addr-new" and event.address is not None:
            self.index_of[event.address] = event.index
            return hits
        if event.kind == "addr-del" and event.address is not None:
            for rsc, ip in self.addresses.items():
                if ip == event.address and self.index_of.get(ip) in (None, event.index):
                    hits.append((rsc, f"address {ip} removed"))
            return hits
        if event.kind == "link":
            was_up = self.link_up.get(event.index, True)
            self.link_up[event.index] = event.up
            if event.up or not was_up:
                return hits
            name = event.ifname or f"#{event.index}"
            for rsc, ip in self.addresses.items():
                if self.index_of.get(ip) == event.index:
                    hits.append((rsc, f"link {name} under {ip} went down"))
        return hits


class LinkWatcher:
    """An rtnetlink socket subscribed to link and IPv4 address events, in the selector."""

    def __init__(self, table: WatchTable, trigger: Trigger) -> None:
        self.table = table
        self.trigger = trigger
        self.sock: socket.socket | None = None
        self.counters: dict[str, int] = {}

    def open(self, selector: selectors.BaseSelector) -> None:
        sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
        try:
            sock.bind((0, RTMGRP_LINK | RTMGRP_IPV4_IFADDR))
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self.sock = sock
        selector.register(sock, selectors.EVENT_READ, self)

    def close(self, selector: selectors.BaseSelector | None = None) -> None:
        if self.sock is None:
            return
        if selector is not None:
            with contextlib.suppress(KeyError, ValueError):
                selector.unregister(self.sock)
        self.sock.close()
        self.sock = None

    def on_ready(self, mask: int) -> None:
        if self.sock is None:
            return
        for _ in range(32):
            try:
                data = self.sock.recv(1 << 16)
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:  # we fell behind: events were dropped
                    self.counters["overruns"] = self.counters.get("overruns", 0) + 1
                    self._everything_suspect()
                    continue
                raise
            for event in decode(data):
                for rsc, reason in self.table.match(event):
                    self.trigger(rsc, reason)

    def _everything_suspect(self) -> None:
        for rsc in list(self.table.addresses):
            self.trigger(rsc, "netlink events were lost")


def decode(data: bytes) -> list[LinkEvent]:
    """The link and address events of one rtnetlink datagram."""
    out: list[LinkEvent] = []
    for mtype, body in rtnl.split_messages(data):
        try:
            if mtype in (rtnl.RTM_NEWLINK, rtnl.RTM_DELLINK):
                link = rtnl.parse_link(body)
                up = mtype == rtnl.RTM_NEWLINK and link.down_reason() is None
                out.append(LinkEvent("link", link.ifindex, link.name, up))
            elif mtype in (rtnl.RTM_NEWADDR, rtnl.RTM_DELADDR):
                addr = rtnl.parse_addr(body)
                if addr.family != socket.AF_INET:
                    continue
                raw = addr.local or addr.address
                out.append(
                    LinkEvent(
                        "addr-new" if mtype == rtnl.RTM_NEWADDR else "addr-del",
                        addr.ifindex,
                        address=socket.inet_ntoa(raw) if len(raw) == 4 else None,
                    )
                )
        except struct.error:
            continue  # a message shorter than its header: not ours to act on
    return out


class _PidHandle:
    def __init__(self, owner: PidWatcher, rsc: str, pid: int, fd: int) -> None:
        self.owner = owner
        self.rsc = rsc
        self.pid = pid
        self.fd = fd

    def on_ready(self, mask: int) -> None:
        self.owner.exited(self)


class PidWatcher:
    """One pidfd per watched resource; its exit triggers the resource's monitor."""

    def __init__(self, selector: selectors.BaseSelector, trigger: Trigger) -> None:
        self.selector = selector
        self.trigger = trigger
        self.handles: dict[str, _PidHandle] = {}

    def watch(self, rsc: str, pid: int) -> None:
        current = self.handles.get(rsc)
        if current is not None and current.pid == pid:
            return
        self.forget(rsc)
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            self.trigger(rsc, f"main process {pid} is already gone")
            return
        except OSError:
            return  # no pidfd support: the recurring monitor still runs
        handle = _PidHandle(self, rsc, pid, fd)
        self.handles[rsc] = handle
        self.selector.register(fd, selectors.EVENT_READ, handle)

    def forget(self, rsc: str) -> None:
        handle = self.handles.pop(rsc, None)
        if handle is None:
            return
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(handle.fd)
        os.close(handle.fd)

    def exited(self, handle: _PidHandle) -> None:
        if self.handles.get(handle.rsc) is handle:
            self.forget(handle.rsc)
            self.trigger(handle.rsc, f"main process {handle.pid} exited")

    def close(self) -> None:
        for rsc in list(self.handles):
            self.forget(rsc)
