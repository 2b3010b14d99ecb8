"""heartbeat v1 resource -> Pacemaker primitive: agents, parameters, operations.

The positional ``::`` arguments are mapped the way heartbeat's own
/etc/ha.d/resource.d wrappers pass them to the OCF agents, so the result
behaves like what heartbeat actually ran:

=================  ===========================================================
IPaddr, IPaddr2,   IPaddr2: ``ip[/netmask[/nic[:label][/broadcast]]]`` split as
bare IP            the wrapper does (netmask is the 2nd field, the 3rd is the
                   nic unless it starts with a digit, then it is the broadcast).
                   The upstream haresources2cib.py swapped nic/cidr_netmask.
Filesystem         device, directory, fstype, options
apache             configfile
drbddisk           drbd_resource -> promotable clone (see planner)
MailTo             email, subject           (ocf:heartbeat:MailTo)
IPsrcaddr          ipaddress                (ocf:heartbeat:IPsrcaddr)
Delay              startdelay, stopdelay    (ocf:heartbeat:Delay)
Xinetd             service                  (ocf:heartbeat:Xinetd)
LVM                volgrpname               (ocf:heartbeat:LVM)
IPv6addr           ipv6addr, cidr_netmask, nic (ocf:heartbeat:IPv6addr)
Raid1              raidconf, raiddev        (ocf:heartbeat:Raid1)
portblock          protocol, portno, action (ocf:heartbeat:portblock)
other resource.d   lsb:<script> + a warning (this Pacemaker has no "heartbeat"
                   resource class: the script must be installed in /etc/init.d);
                   with ``heartbeat_class=True`` (``pycrm run --ha-d``, whose
                   executor runs that class): heartbeat:<script>, the ``::``
                   arguments as instance attributes "1", "2", ...
/etc/init.d        lsb:<script> (arguments cannot be passed: warning)
=================  ===========================================================

The names in the table are scripts heartbeat's own packages install in
/etc/ha.d/resource.d (drbddisk comes with drbd-utils). Each of them is a thin
wrapper that runs an OCF agent (``ra_execocf``) or, for drbddisk, drbdadm, so
heartbeat itself ran these resources through resource.d. They map to the agent
the wrapper ran, in both modes: ours where pycrm ships one (IPaddr2,
Filesystem, apache, drbd), resource-agents' otherwise. Every other script
found in resource.d is the site's own and is run as it is.

Every primitive gets start/stop timeouts and a recurring monitor: heartbeat
v1 never monitored resources (it only noticed dead *nodes*), which is the main
functional gain of the migration.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from heartbeat_compat.config.haresources import Resource, ip_shorthand
from heartbeat_compat.migrate.ids import IdAllocator, sanitize
from heartbeat_compat.migrate.model import Op, Primitive

Agents = Literal["pycrm", "heartbeat"]

# agent type -> (start timeout, stop timeout, monitor interval, monitor timeout)
_TIMINGS: dict[str, tuple[str, str, str, str]] = {
    "IPaddr2": ("20s", "20s", "10s", "20s"),
    "Filesystem": ("60s", "60s", "20s", "40s"),
    "apache": ("40s", "60s", "10s", "20s"),
    "MailTo": ("10s", "10s", "10s", "10s"),
    "IPsrcaddr": ("20s", "20s", "10s", "20s"),
    "Xinetd": ("20s", "20s", "10s", "20s"),
    "LVM": ("30s", "30s", "10s", "30s"),
    "Raid1": ("60s", "60s", "20s", "60s"),
    "portblock": ("20s", "20s", "10s", "10s"),
    "lsb": ("60s", "60s", "30s", "30s"),
    "heartbeat": ("60s", "60s", "30s", "30s"),
    "ping": ("60s", "20s", "10s", "60s"),
}


def standard_ops(kind: str) -> list[Op]:
    start, stop, interval, timeout = _TIMINGS[kind]
    return [
        Op("start", "0s", start),
        Op("stop", "0s", stop),
        Op("monitor", interval, timeout),
    ]


def drbd_ops() -> list[Op]:
    """drbd: the intervals differ per role, as Pacemaker requires."""
    return [
        Op("start", "0s", "240s"),
        Op("stop", "0s", "100s"),
        Op("promote", "0s", "90s"),
        Op("demote", "0s", "90s"),
        Op("notify", "0s", "90s"),
        Op("monitor", "29s", "20s", role="Promoted"),
        Op("monitor", "31s", "20s", role="Unpromoted"),
    ]


@dataclass
class Mapped:
    """Result of mapping one haresources word.

    primitive      the primitive (None for drbddisk, which the planner turns into a clone)
    drbd_resource  the DRBD resource name of a drbddisk word
    warnings/notes what to tell the user
    """

    primitive: Primitive | None = None
    drbd_resource: str | None = None
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def provider_for(agent: str, agents: Agents) -> tuple[str, str]:
    """(provider, type) for the four agents pycrm ships; heartbeat otherwise."""
    if agents == "pycrm" and agent in ("IPaddr2", "Filesystem", "apache", "drbd"):
        return "pycrm", agent
    if agent == "drbd":
        return "linbit", "drbd"
    return "heartbeat", agent


class _Ctx:
    def __init__(self, res: Resource, agents: Agents, ids: IdAllocator, where: str) -> None:
        self.res = res
        self.agents = agents
        self.ids = ids
        self.where = where
        self.out = Mapped()

    def warn(self, text: str) -> None:
        self.out.warnings.append(f"{self.where}: {self.res.spec}: {text}")

    def note(self, text: str) -> None:
        self.out.notes.append(f"{self.where}: {self.res.spec}: {text}")

    def ocf(
        self, agent: str, rid: str, params: list[tuple[str, str]], timing: str | None = None
    ) -> Primitive:
        provider, type_ = provider_for(agent, self.agents)
        return Primitive(
            id=self.ids.reserve(rid),
            cls="ocf",
            provider=provider,
            type=type_,
            params=params,
            ops=standard_ops(timing or agent),
            source=self.res.spec,
        )

    def extra_args(self, used: int) -> None:
        extra = self.res.args[used:]
        if extra:
            self.warn(f"extra arguments {' '.join(extra)!r} ignored (the wrapper takes {used})")


def _ip(ctx: _Ctx) -> None:
    res = ctx.res
    if not res.args:
        ctx.warn("no address given; resource not translated")
        return
    try:
        spec = ip_shorthand(res.args[0])
    except ValueError as exc:
        ctx.warn(f"invalid address specification ({exc}); resource not translated")
        return
    params = [("ip", spec.ip)]
    if spec.cidr_netmask is not None:
        params.append(("cidr_netmask", spec.cidr_netmask))
    if spec.nic is not None:
        params.append(("nic", spec.nic))
    if spec.iflabel is not None:
        params.append(("iflabel", spec.iflabel))
    if spec.broadcast is not None:
        params.append(("broadcast", spec.broadcast))
    if res.script == "IPaddr2":
        # resource.d/IPaddr2 exported OCF_RESKEY_lvs_support=1; keep the behaviour.
        params.append(("lvs_support", "true"))
        ctx.note(
            "lvs_support=true kept from heartbeat's resource.d/IPaddr2 wrapper (it only "
            "matters when the address is also configured on lo, as in LVS-DR)"
        )
    else:
        ctx.note("IPaddr (ifconfig aliases) mapped to IPaddr2 (ip address add)")
    ctx.extra_args(1)
    ctx.out.primitive = ctx.ocf("IPaddr2", "ip_" + re.sub(r"[.:]", "_", spec.ip), params)


def _filesystem(ctx: _Ctx) -> None:
    names = ("device", "directory", "fstype", "options")
    args = ctx.res.args
    if len(args) < 2:
        ctx.warn("Filesystem needs at least device and directory; resource not translated")
        return
    params = list(zip(names, args, strict=False))
    if len(args) < 3:
        ctx.warn("no fstype given: the Filesystem agent requires one; add fstype= by hand")
    ctx.extra_args(4)
    ctx.out.primitive = ctx.ocf("Filesystem", "fs_" + sanitize(args[1]), params)


def _apache(ctx: _Ctx) -> None:
    params = [("configfile", ctx.res.args[0])] if ctx.res.args else []
    ctx.extra_args(1)
    ctx.out.primitive = ctx.ocf("apache", "apache", params)


def _drbddisk(ctx: _Ctx) -> None:
    if not ctx.res.args or ctx.res.args[0] == "all":
        ctx.warn(
            "drbddisk without a resource name manages ALL DRBD resources; not translated: "
            "add one promotable drbd clone per DRBD resource by hand"
        )
        return
    ctx.extra_args(1)
    ctx.out.drbd_resource = ctx.res.args[0]


def _positional(agent: str, names: tuple[str, ...], id_prefix: str) -> Callable[[_Ctx], None]:
    def build(ctx: _Ctx) -> None:
        params = list(zip(names, ctx.res.args, strict=False))
        ctx.extra_args(len(names))
        suffix = sanitize(ctx.res.args[0]) if ctx.res.args else ""
        rid = f"{id_prefix}_{suffix}" if suffix else id_prefix
        ctx.out.primitive = ctx.ocf(agent, rid, params)
        if agent == "MailTo":
            ctx.note("MailTo only sends mail when the group starts or stops")

    return build


def _ipv6(ctx: _Ctx) -> None:
    """resource.d/IPv6addr: ``addr[/prefix[/nic]]``."""
    if not ctx.res.args:
        ctx.warn("no address given; resource not translated")
        return
    if len(ctx.res.args) > 1:
        ctx.warn(
            "heartbeat splits resource arguments at '::', so it passed this address to "
            f"IPv6addr as {len(ctx.res.args)} arguments and it never worked; write the address "
            "without '::' (e.g. fd00:0:0:0:0:0:0:10); resource not translated"
        )
        return
    parts = ctx.res.args[0].split("/")
    try:
        addr = ipaddress.IPv6Address(parts[0])
        if len(parts) > 1 and parts[1] and not 0 <= int(parts[1]) <= 128:
            raise ValueError(f"prefix [{parts[1]}] out of range")
    except ValueError as exc:
        ctx.warn(f"invalid IPv6 address specification ({exc}); resource not translated")
        return
    params = [("ipv6addr", str(addr))]
    if len(parts) > 1 and parts[1]:
        params.append(("cidr_netmask", parts[1]))
    if len(parts) > 2 and parts[2]:
        params.append(("nic", parts[2]))
    ctx.extra_args(1)
    ctx.out.primitive = ctx.ocf(
        "IPv6addr", "ip6_" + str(addr).replace(":", "_"), params, timing="IPaddr2"
    )


def _delay(ctx: _Ctx) -> None:
    args = ctx.res.args
    start = args[0] if args else "10"
    params = [("startdelay", start)]
    if len(args) > 1:
        params.append(("stopdelay", args[1]))
    ctx.extra_args(2)
    prim = ctx.ocf("Delay", f"delay_{sanitize(start)}", params, timing="lsb")
    longest = max(int(a) if a.isdigit() else 0 for a in (start, *args[1:2]))
    prim.ops = [
        Op("start", "0s", f"{longest + 30}s"),
        Op("stop", "0s", f"{longest + 30}s"),
        Op("monitor", "10s", f"{longest + 30}s"),
    ]
    ctx.out.primitive = prim


_KNOWN: dict[str, Callable[[_Ctx], None]] = {
    "IPaddr": _ip,
    "IPaddr2": _ip,
    "Filesystem": _filesystem,
    "apache": _apache,
    "drbddisk": _drbddisk,
    "MailTo": _positional("MailTo", ("email", "subject"), "mailto"),
    "IPsrcaddr": _positional("IPsrcaddr", ("ipaddress",), "ipsrcaddr"),
    "Xinetd": _positional("Xinetd", ("service",), "xinetd"),
    "LVM": _positional("LVM", ("volgrpname",), "lvm"),
    "portblock": _positional("portblock", ("protocol", "portno", "action"), "portblock"),
    "Delay": _delay,
    "IPv6addr": _ipv6,
    "Raid1": _positional("Raid1", ("raidconf", "raiddev"), "raid1"),
}


def _lsb(ctx: _Ctx) -> None:
    res = ctx.res
    if res.kind == "heartbeat":
        ctx.warn(
            f"heartbeat resource script {res.path} has no OCF equivalent and this Pacemaker has "
            f"no 'heartbeat' resource class: emitted as lsb:{res.script}; install it as "
            f"/etc/init.d/{res.script} and make 'status' exit 3 when stopped (LSB)"
        )
    elif res.kind == "missing":
        ctx.warn(
            f"cannot locate resource script {res.script} (neither resource.d nor init.d): "
            f"emitted as lsb:{res.script}, which will fail until it exists"
        )
    if res.args:
        ctx.warn(f"LSB scripts take no arguments: {' '.join(res.args)!r} cannot be passed")
    ctx.out.primitive = Primitive(
        id=ctx.ids.reserve(res.script),
        cls="lsb",
        type=res.script,
        ops=standard_ops("lsb"),
        source=res.spec,
    )


def _heartbeat(ctx: _Ctx) -> None:
    """A site's own resource.d script, run as heartbeat ran it (positional args)."""
    res = ctx.res
    ctx.out.primitive = Primitive(
        id=ctx.ids.reserve(res.script),
        cls="heartbeat",
        type=res.script,
        params=[(str(i), arg) for i, arg in enumerate(res.args, start=1)],
        ops=standard_ops("heartbeat"),
        source=res.spec,
    )


def map_resource(
    res: Resource,
    *,
    agents: Agents,
    ids: IdAllocator,
    where: str,
    heartbeat_class: bool = False,
) -> Mapped:
    """Map one haresources word; never raises for bad content (warns instead).

    A known wrapper name maps to its OCF agent when heartbeat would have run the
    resource.d wrapper (or none was found); a script heartbeat found only in
    /etc/init.d stays an LSB resource, as heartbeat ran it. Any other script
    found in resource.d becomes ``lsb`` (with a warning), or ``heartbeat`` when
    `heartbeat_class` is set.
    """
    ctx = _Ctx(res, agents, ids, where)
    builder = _KNOWN.get(res.script)
    if builder is not None and (res.implicit_ip or res.kind != "lsb"):
        if res.kind == "missing" and not res.implicit_ip:
            ctx.note(f"resource.d/{res.script} not found; mapped from the standard wrapper")
        builder(ctx)
    elif heartbeat_class and res.kind == "heartbeat":
        _heartbeat(ctx)
    else:
        _lsb(ctx)
    return ctx.out
