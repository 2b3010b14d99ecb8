"""ocf:pycrm:IPaddr2 — a virtual IPv4/IPv6 address, over netlink.

Drop-in for resource-agents 4.12 IPaddr2 (same parameters and defaults).
Differences that matter to an administrator:

- the monitor fails (rc 1) when the address is configured but its link is
  down (administratively, or operstate DOWN / LOWERLAYERDOWN): the service
  is unreachable, so Pacemaker should recover it elsewhere;
- nic/netmask detection never fails on several matching routes, and the
  IPv4 broadcast is never left empty (see ocf.net.nicsel);
- gratuitous ARPs / unsolicited NAs are sent in-process before start
  returns, and a failure to send fails the start instead of vanishing;
- IPv6 DAD is awaited within the start timeout (not a fixed 10 s);
  `dadfailed` removes the address and fails the start;
- the CLUSTERIP clone mode is refused (rc 6) instead of half-configured.

Everything runs over a raw rtnetlink socket (no `ip` forks); the monitor
costs two small netlink round trips.
"""

from __future__ import annotations

import os
import time

from ocf.agent import Agent
from ocf.ipaddr2_params import ACTIONS, PARAMS
from ocf.net import inet
from ocf.net.rtnl import (
    ARPHRD_ETHER,
    ARPHRD_LOOPBACK,
    IFA_F_DADFAILED,
    IFA_F_NODAD,
    IFA_F_NOPREFIXROUTE,
    IFA_F_TENTATIVE,
    RT_SCOPE_HOST,
    RT_SCOPE_UNIVERSE,
    Addr,
    Link,
    Rtnl,
)
from ocf.params import is_true
from ocf.rc import RC, OCFError

TYPE_CHECKING = False  # keep `typing` (~10 ms) off the monitor path
if TYPE_CHECKING:
    from typing import ClassVar

_POLL_S = 0.05
# errnos meaning "the address (or its device) is already gone"
_GONE = (19, 2, 99)  # ENODEV, ENOENT, EADDRNOTAVAIL
_EEXIST = 17


class _NoNamespace(Exception):
    pass


class IPaddr2(Agent):
    name: ClassVar[str] = "IPaddr2"
    version: ClassVar[str] = "1.0"
    shortdesc: ClassVar[str] = "Manages virtual IPv4 and IPv6 addresses (Linux specific version)"
    longdesc: ClassVar[str] = (
        "Adds or removes a virtual IPv4 or IPv6 address on a network interface, over netlink. "
        "A drop-in replacement for resource-agents' IPaddr2 with the same parameters. The "
        "monitor also fails when the interface's link is down. On start the agent announces "
        "the address with gratuitous ARP (IPv4) or unsolicited Neighbour Advertisements "
        "(IPv6), and for IPv6 waits for Duplicate Address Detection. The CLUSTERIP clone mode "
        "of the shell agent is not supported."
    )
    params = PARAMS
    actions = ACTIONS

    # set by check_config
    family: int
    ip: bytes
    ip_text: str
    nic: str | None
    iflabel: str | None
    plen: int | None

    # ---------------------------------------------------------------- config
    def check_config(self) -> None:
        p = self.p
        text = p.get("ip").strip()
        try:
            if is_true(p.get("unique_clone_address")):
                if not is_true(self.env.meta("globally_unique", "false")):
                    raise OCFError(
                        RC.ERR_CONFIGURED,
                        "unique_clone_address makes sense only with meta globally_unique set",
                    )
                text = inet.clone_address(text, int(self.env.meta("clone", "0") or 0))
            elif int(self.env.meta("clone_max", "1") or 1) > 1:
                raise OCFError(
                    RC.ERR_CONFIGURED,
                    "IPaddr2 as a clone (CLUSTERIP load sharing) is not supported by"
                    " ocf:pycrm:IPaddr2; use a primitive or unique_clone_address",
                )
            self.family, self.ip = inet.parse_ip(text)
            self.ip_text = inet.ntop(self.family, self.ip)
            nic = p.opt("nic")
            self.nic, self.iflabel = inet.split_nic(nic) if nic else (None, None)
            if self.nic == "":
                raise inet.AddrError(f"Invalid interface name [{nic}]")
            if self.iflabel is None:
                self.iflabel = p.opt("iflabel")
            mask = p.opt("cidr_netmask") or self.env.environ.get("OCF_RESKEY_netmask") or None
            self.plen = inet.parse_prefix(mask, self.family) if mask else None
            if self.family == inet.AF_INET:
                inet.parse_broadcast(p.get("broadcast"))
            if self.nic and self.iflabel:
                inet.full_label(self.nic, self.iflabel)
            self.preferred = inet.parse_lifetime(p.get("preferred_lft"))
        except inet.AddrError as exc:
            raise OCFError(RC.ERR_CONFIGURED, str(exc)) from None
        except ValueError as exc:
            raise OCFError(RC.ERR_CONFIGURED, f"invalid clone meta-attribute: {exc}") from None
        self.arp_count = p.integer("arp_count")
        self.arp_interval = p.integer("arp_interval")
        self.arp_refresh = p.integer("arp_count_refresh")
        if self.arp_count <= 0:
            raise OCFError(RC.ERR_CONFIGURED, f"Invalid arp_count [{self.arp_count}]")
        if self.arp_interval <= 0:
            raise OCFError(RC.ERR_CONFIGURED, f"Invalid arp_interval [{self.arp_interval}]")
        if self.arp_refresh < 0:
            raise OCFError(RC.ERR_CONFIGURED, f"Invalid arp_count_refresh [{self.arp_refresh}]")
        self.lvs = is_true(p.get("lvs_support"))
        if self.lvs and self.family == inet.AF_INET6:
            raise OCFError(RC.ERR_CONFIGURED, "The IPv6 does not support lvs_support")
        self.addrlabel: int | None = None
        if is_true(p.get("lvs_ipv6_addrlabel")):
            if self.family == inet.AF_INET:
                raise OCFError(RC.ERR_CONFIGURED, "IPv4 does not support lvs_ipv6_addrlabel")
            self.addrlabel = p.integer("lvs_ipv6_addrlabel_value")
            if not 0 <= self.addrlabel < 0xFFFFFFFF:
                raise OCFError(
                    RC.ERR_CONFIGURED,
                    f"Invalid lvs_ipv6_addrlabel_value [{self.addrlabel}]",
                )

    # ----------------------------------------------------------------- infra
    def _rtnl(self) -> Rtnl:
        """A netlink socket in the configured namespace (entered once per process)."""
        ns = self.p.opt("network_namespace")
        if ns and not getattr(self, "_in_ns", False):
            from ocf.net import netns

            try:
                netns.enter(ns)
            except FileNotFoundError:
                raise _NoNamespace(ns) from None
            except (OSError, ValueError) as exc:
                raise OCFError(
                    RC.ERR_GENERIC, f"cannot enter network namespace {ns}: {exc}"
                ) from None
            self._in_ns = True
        return Rtnl()

    def _require_nic(self, rt: Rtnl) -> None:
        """start and validate-all: a nic that does not exist is a configuration error.

        rc 6 (fatal) like the shell agent's findif: the nic name is part of the
        resource's configuration, the same on every node, so a wrong one is fixed
        there; a nic that vanishes under a running address is the monitor's case.
        """
        if self.nic and rt.link(name=self.nic) is None:
            raise OCFError(
                RC.ERR_CONFIGURED, f"Invalid interface name [{self.nic}]: no such device"
            )

    def _require_root(self) -> None:
        if os.geteuid() != 0:
            raise OCFError(RC.ERR_PERM, f"You must be root for {self.env.action} operation.")

    def _served(self, rt: Rtnl, link: Link | None) -> list[tuple[Addr, Link]]:
        """Where the address is configured (with our prefix length, if one is set).

        Without a nic, an address on a loopback device does not count (unless
        it is a loopback address): an LVS-DR real server keeps the VIP on lo,
        and that copy is neither ours to report nor ours to remove.
        """
        from ocf.net.nicsel import find_served

        found = find_served(
            self.family,
            self.ip,
            rt.addrs(self.family),
            index=None if link is None else link.ifindex,
        )
        out = []
        for addr in found:
            if self.plen is not None and addr.prefixlen != self.plen:
                continue
            dev = link if link is not None else rt.link(index=addr.ifindex)
            if dev is None:
                continue
            if link is None and dev.arptype == ARPHRD_LOOPBACK and not self._loopback_ip():
                continue
            out.append((addr, dev))
        return out

    def _loopback_ip(self) -> bool:
        if self.family == inet.AF_INET:
            return self.ip[0] == 127
        return self.ip == bytes(15) + b"\x01"

    # --------------------------------------------------------------- monitor
    def monitor(self) -> RC | None:
        try:
            rt = self._rtnl()
        except _NoNamespace as exc:
            return self._gone(f"network namespace {exc}")
        with rt:
            link = None
            if self.nic:
                link = rt.link(name=self.nic)
                if link is None:
                    return self._gone(f"interface {self.nic}")
            served = self._served(rt, link)
            if not served:
                return RC.NOT_RUNNING
            addr, link = served[0]
            down = link.down_reason()
            if down:
                raise OCFError(
                    RC.ERR_GENERIC,
                    f"{self.ip_text} is configured on {link.name} but the link is down ({down})",
                )
            if addr.flags & IFA_F_DADFAILED:
                raise OCFError(
                    RC.ERR_GENERIC,
                    f"{self.ip_text} on {link.name}: duplicate address detected (dadfailed)",
                )
            if self.arp_refresh and not self.env.is_probe:
                self._announce(link, self.arp_refresh, refresh=True)
        return RC.SUCCESS

    def _gone(self, what: str) -> RC:
        """The monitor's answer when the configured interface or namespace is missing.

        A probe says "not running" (the address cannot be here). A recurring
        monitor runs where the address should be up, and a vanished interface
        is a failure, not a clean stop: rc 1, as the shell agent (since 3.9.6).
        """
        if self.env.is_probe:
            self.log.info(f"{what} does not exist: {self.ip_text} is not here")
            return RC.NOT_RUNNING
        raise OCFError(RC.ERR_GENERIC, f"{what} does not exist (vanished?): {self.ip_text} is down")

    # ----------------------------------------------------------------- start
    def start(self) -> RC | None:
        self._require_root()
        try:
            rt = self._rtnl()
        except _NoNamespace as exc:
            raise OCFError(RC.ERR_ARGS, f"network namespace {exc} does not exist") from None
        with rt:
            self._require_nic(rt)
            served = self._served(rt, rt.link(name=self.nic) if self.nic else None)
            if served:
                link = served[0][1]
                self.log.info(f"{self.ip_text} is already configured on {link.name}")
                self._wait_link(rt, link)
                return RC.SUCCESS
            link, plen, brd = self._choose(rt, RC.ERR_GENERIC)
            self._add(rt, link, plen, brd)
            link = self._wait_link(rt, link)
            if self.family == inet.AF_INET6 and not is_true(self.p.get("nodad")):
                self._wait_dad(rt, link, plen)
            self._announce(link, self.arp_count, refresh=False)
        return RC.SUCCESS

    def _choose(self, rt: Rtnl, rc: RC) -> tuple[Link, int, bytes | None]:
        from ocf.net import nicsel

        try:
            choice = nicsel.choose(
                family=self.family,
                ip=self.ip,
                nic=self.nic,
                prefixlen=self.plen,
                broadcast=self.p.get("broadcast").strip(),
                links=rt.links(),
                addrs=rt.addrs(self.family),
                routes=rt.routes(self.family),
            )
        except nicsel.NoInterface as exc:
            raise OCFError(rc, f"{self.ip_text}: {exc}") from None
        except inet.AddrError as exc:
            raise OCFError(RC.ERR_CONFIGURED, str(exc)) from None
        if choice.route is not None and not self.nic:
            self.log.debug(
                f"{self.ip_text}: nic {choice.nic.name} from route"
                f" {inet.ntop(self.family, choice.route.dst or b'')}/{choice.route.dst_len}"
                f" metric {choice.route.metric}"
            )
        return choice.nic, choice.prefixlen, choice.broadcast

    def _add(self, rt: Rtnl, link: Link, plen: int, brd: bytes | None) -> None:
        label = None
        if self.iflabel:
            if self.family == inet.AF_INET6:
                self.log.warning("iflabel is ignored for IPv6 (the kernel has no IPv6 labels)")
            else:
                try:
                    label = inet.full_label(link.name, self.iflabel)
                except inet.AddrError as exc:
                    raise OCFError(RC.ERR_CONFIGURED, str(exc)) from None
        flags = 0
        if self.family == inet.AF_INET6 and is_true(self.p.get("nodad")):
            flags |= IFA_F_NODAD
        if is_true(self.p.get("noprefixroute")):
            flags |= IFA_F_NOPREFIXROUTE
        scope = RT_SCOPE_UNIVERSE
        if self.family == inet.AF_INET and self.ip[0] == 127:
            scope = RT_SCOPE_HOST
        if self.family == inet.AF_INET and is_true(self.p.get("run_arping")):
            self._arp_probe(rt, link)
        if self.addrlabel is not None:
            self._addrlabel(rt, add=True)
        if self.lvs:
            from ocf.net import lvs

            for dev in lvs.take_from_loopback(rt, self.ip, self.ip_text, self._rsctmp()):
                self.log.info(f"lvs_support: removed {self.ip_text}/32 from {dev} (saved)")
        desc = f"{self.ip_text}/{plen}"
        if brd is not None:
            desc += f" brd {inet.ntop(inet.AF_INET, brd)}"
        if label:
            desc += f" label {label}"
        self.log.info(f"Adding {desc} to device {link.name}")
        try:
            rt.add_addr(
                self.family,
                link.ifindex,
                self.ip,
                plen,
                broadcast=brd,
                label=label,
                flags=flags,
                scope=scope,
                preferred=self.preferred if self.family == inet.AF_INET6 else None,
            )
        except OSError as exc:
            # EEXIST: configured meanwhile, fine if it is exactly ours (IPv6 also
            # refuses the same address with another prefix length: not fine).
            exists = exc.errno == _EEXIST and any(
                a.prefixlen == plen for a, _ in self._served(rt, link)
            )
            if not exists:
                raise OCFError(
                    RC.ERR_GENERIC, f"Failed to add {desc} to {link.name}: {exc.strerror}"
                ) from None
        if not link.flags & 1:
            self.log.info(f"Bringing device {link.name} up")
        try:
            rt.set_up(link.ifindex)
        except OSError as exc:
            raise OCFError(RC.ERR_GENERIC, f"cannot bring {link.name} up: {exc.strerror}") from None

    def _wait_link(self, rt: Rtnl, link: Link) -> Link:
        """Wait (within the deadline) until the link can carry traffic."""
        while True:
            current = rt.link(index=link.ifindex)
            if current is None:
                raise OCFError(RC.ERR_GENERIC, f"interface {link.name} vanished during start")
            down = current.down_reason()
            if down is None:
                return current
            if self.env.remaining() <= _POLL_S:
                raise OCFError(
                    RC.ERR_GENERIC,
                    f"{self.ip_text} is configured on {link.name} but the link is down ({down})",
                )
            time.sleep(_POLL_S)

    def _wait_dad(self, rt: Rtnl, link: Link, plen: int) -> None:
        """Wait until the address leaves `tentative`; on `dadfailed` remove it and fail."""
        while True:
            mine = [a for a, _ in self._served(rt, link) if a.prefixlen == plen]
            if not mine:
                raise OCFError(
                    RC.ERR_GENERIC, f"{self.ip_text} disappeared from {link.name} during DAD"
                )
            flags = mine[0].flags
            if flags & IFA_F_DADFAILED:
                try:
                    rt.del_addr(self.family, link.ifindex, self.ip, plen)
                except OSError as exc:
                    self.log.error(f"could not delete {self.ip_text} after DAD failure: {exc}")
                raise OCFError(
                    RC.ERR_GENERIC,
                    f"IPv6 address collision {self.ip_text} [DAD failed on {link.name}];"
                    " address removed",
                )
            if not flags & IFA_F_TENTATIVE:
                return
            if self.env.remaining() <= _POLL_S:
                raise OCFError(
                    RC.ERR_GENERIC,
                    f"{self.ip_text} on {link.name} is still tentative (DAD unfinished)"
                    " at the start timeout",
                )
            time.sleep(_POLL_S)

    def _arp_probe(self, rt: Rtnl, link: Link) -> None:
        from ocf.net.announce import arp_probe

        if link.arptype != ARPHRD_ETHER:
            return
        try:
            rt.set_up(link.ifindex)
            current = self._wait_link(rt, link)
            other = arp_probe(current.name, current.mac, self.ip, deadline=self.env.deadline)
        except OSError as exc:
            raise OCFError(
                RC.ERR_GENERIC, f"run_arping: ARP probe on {link.name} failed: {exc}"
            ) from None
        if other is not None:
            raise OCFError(
                RC.ERR_GENERIC,
                f"IPv4 address collision {self.ip_text} [DAD]: in use by"
                f" {other.hex(':')} on {link.name}",
            )

    def _arp_bg(self) -> bool:
        """arp_bg: true/false as given; empty means true for IPv4 (resource-agents)."""
        value = self.p.get("arp_bg").strip().lower()
        if not value:
            return self.family == inet.AF_INET
        return value in ("1", "true", "yes", "on", "y")

    def _announce(self, link: Link, count: int, *, refresh: bool) -> None:
        if link.arptype != ARPHRD_ETHER or not link.mac:
            if link.arptype == ARPHRD_LOOPBACK:
                self.log.debug(f"no ARP/NA on loopback {link.name}")
            elif not refresh:
                self.log.warning(
                    f"no gratuitous ARP/NA sent on {link.name}: link type {link.arptype}"
                    " is not Ethernet (InfiniBand and others are not supported)"
                )
            return
        from ocf.net.announce import announce

        what = "gratuitous ARP" if self.family == inet.AF_INET else "unsolicited NA"
        background = not refresh and count > 1 and self._arp_bg()
        try:
            sent = announce(
                link.name,
                link.mac,
                self.family,
                self.ip,
                count=1 if background else count,
                interval_ms=self.arp_interval,
                deadline=self.env.deadline,
            )
            if background:
                from ocf.net.announce import announce_in_background

                announce_in_background(
                    link.name,
                    link.mac,
                    self.family,
                    self.ip,
                    count=count - 1,
                    interval_ms=self.arp_interval,
                )
                self.log.info(
                    f"sent 1 {what} round for {self.ip_text} on {link.name};"
                    f" {count - 1} more from the background"
                )
                return
        except OSError as exc:
            msg = f"could not send {what} for {self.ip_text} on {link.name}: {exc}"
            if refresh:
                self.log.warning(msg)
                return
            raise OCFError(RC.ERR_GENERIC, msg) from None
        if sent < count:
            self.log.warning(f"sent {sent} of {count} {what} rounds: the deadline was near")
        elif not refresh:
            self.log.info(f"sent {sent} {what} rounds for {self.ip_text} on {link.name}")

    # ------------------------------------------------------------------ stop
    def stop(self) -> RC | None:
        self._require_root()
        try:
            rt = self._rtnl()
        except _NoNamespace as exc:
            self.log.warning(f"network namespace {exc} does not exist: nothing to stop")
            return RC.SUCCESS
        with rt:
            link = None
            served = []
            if self.nic:
                link = rt.link(name=self.nic)
                if link is None:
                    self.log.info(f"{self.nic} does not exist: {self.ip_text} is not configured")
            if link is not None or not self.nic:
                served = self._served(rt, link)
            for addr, _ in served:
                self.log.info(f"Removing {self.ip_text}/{addr.prefixlen} (ifindex {addr.ifindex})")
                try:
                    rt.del_addr(self.family, addr.ifindex, self.ip, addr.prefixlen)
                except OSError as exc:
                    if exc.errno not in _GONE:
                        raise OCFError(
                            RC.ERR_GENERIC, f"Unable to remove IP {self.ip_text}: {exc.strerror}"
                        ) from None
            if self.addrlabel is not None:
                self._addrlabel(rt, add=False)
            if self.lvs:
                self._restore_loopback(rt)
        if is_true(self.p.get("flush_routes")):
            self._flush_route_cache()
        return RC.SUCCESS

    def _rsctmp(self) -> str:
        from ocf.net import lvs

        return self.env.environ.get("HA_RSCTMP") or lvs.DEFAULT_RSCTMP

    def _restore_loopback(self, rt: Rtnl) -> None:
        from ocf.net import lvs

        try:
            dev = lvs.restore_loopback(rt, self.ip, self.ip_text, self._rsctmp())
        except OSError as exc:
            raise OCFError(
                RC.ERR_GENERIC, f"lvs_support: cannot restore {self.ip_text} on loopback: {exc}"
            ) from None
        if dev:
            self.log.info(f"lvs_support: restored {self.ip_text}/32 on {dev}")

    def _addrlabel(self, rt: Rtnl, *, add: bool) -> None:
        """`ip addrlabel add|del prefix <ip>/128 label <value>`; failures only warn."""
        if self.addrlabel is None:
            return
        try:
            rt.addrlabel(add, self.ip, 128, self.addrlabel)
        except OSError as exc:
            if add and exc.errno != _EEXIST:
                self.log.warning(f"adding IPv6 address label {self.addrlabel} failed: {exc}")
            elif not add and exc.errno not in (*_GONE, 3):  # ESRCH: no such label
                self.log.debug(f"deleting IPv6 address label failed: {exc}")

    def _flush_route_cache(self) -> None:
        """`ip route flush cache`: what iproute2 does, a write to the flush sysctl."""
        path = (
            "/proc/sys/net/ipv4/route/flush"
            if self.family == inet.AF_INET
            else "/proc/sys/net/ipv6/route/flush"
        )
        try:
            with open(path, "w", encoding="ascii") as fh:
                fh.write("-1" if self.family == inet.AF_INET else "1")
        except OSError as exc:
            self.log.warning(f"flush_routes: cannot write {path}: {exc}")

    # ---------------------------------------------------------- validate-all
    def validate_all(self) -> RC | None:
        try:
            rt = self._rtnl()
        except _NoNamespace as exc:
            raise OCFError(RC.ERR_ARGS, f"network namespace {exc} does not exist") from None
        with rt:
            self._require_nic(rt)
            if not self._served(rt, rt.link(name=self.nic) if self.nic else None):
                self._choose(rt, RC.ERR_ARGS)
        return RC.SUCCESS


AGENT = IPaddr2
