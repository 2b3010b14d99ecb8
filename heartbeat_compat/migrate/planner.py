"""Build the migration `Plan` from a parsed ha.d (ha.cf + haresources).

Translation decisions (each one is also reported to the user):

* one haresources line -> one ``<group>`` (a single resource stays a bare
  primitive), members in line order: a group starts in order, stops in
  reverse and keeps its members together, exactly like heartbeat's
  takegroup/givegroup;
* the node named first on the line -> ``rsc_location`` score 100 for it;
* ``auto_failback on`` -> resource-stickiness 0: the group returns to its
  preferred node when that node comes back;
* ``auto_failback off`` -> resource-stickiness 1000: higher than the location
  score (100), so resources stay where they are after a failover, but finite,
  so an administrator's ``crm_resource --move`` (an INFINITY preference) and
  the -INFINITY connectivity rules still win. INFINITY stickiness would make
  moves tie with the current placement;
* ``auto_failback legacy`` (heartbeat's default) -> stickiness 0 as well:
  in legacy mode a starting node asks for its own groups back
  (``ip-request``), i.e. legacy *does* fail back;
* ``drbddisk::r`` -> a promotable clone of the drbd agent, the rest of the
  line colocated with its Promoted instance (INFINITY) and started after the
  promotion;
* ``ping``/``ping_group`` -> ``ocf:pacemaker:ping`` clones and, for every
  group, a -INFINITY rule where the ping attribute is undefined or 0 (the
  classic replacement of ipfail);
* ``stonith``/``stonith_host`` -> ``stonith-enabled`` true (false otherwise,
  with a warning); ``stonith_host`` lines become fencing primitives;
* two nodes -> ``no-quorum-policy=ignore``: heartbeat v1 had no quorum and a
  two-node cluster that loses one node loses quorum, so the survivor must keep
  running resources as it did under heartbeat;
* every primitive gets a recurring monitor: heartbeat v1 only detected dead
  nodes, never a dead service.

Two targets. ``pacemaker`` (the default, what ``haresources2cib`` writes) is
loaded into a Pacemaker cluster. ``pycrm-run`` is the CIB ``pycrm run --ha-d``
builds in memory when its state directory has no cib.xml yet; it differs in
three ways:

* a site's own resource.d script becomes a ``heartbeat`` class primitive with
  its ``::`` arguments as parameters "1", "2", ... (pycrm's executor runs that
  class; Pacemaker 2 does not), so an unchanged haresources runs;
* ``ping``/``ping_group`` give only the -INFINITY location rules: the daemon
  maintains the ``pingd``/``pingd_<group>`` attributes itself (see
  `ping_attribute`), there is no attrd_updater for ocf:pacemaker:ping;
* the version is 0/0/0, the lowest there is, so that a CIB any node has
  written always wins over a freshly generated one; notes about corosync and
  cibadmin are left out.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from typing import Literal

from heartbeat_compat.config.hacf import HaCf
from heartbeat_compat.config.haresources import HaResources, ResourceGroup
from heartbeat_compat.migrate.ids import IdAllocator, sanitize
from heartbeat_compat.migrate.mapping import (
    Agents,
    drbd_ops,
    map_resource,
    provider_for,
    standard_ops,
)
from heartbeat_compat.migrate.model import (
    Clone,
    Colocation,
    Expression,
    Group,
    Location,
    Op,
    Order,
    Plan,
    Primitive,
)

STICKY_OFF = "1000"
PREFERRED_SCORE = "100"
StonithParamNames = Callable[[str], list[str] | None]
Target = Literal["pacemaker", "pycrm-run"]


def ping_attribute(group: str | None = None) -> str:
    """The node attribute that carries connectivity: ``pingd`` for ha.cf's
    ``ping`` nodes, ``pingd_<group>`` for a ``ping_group``."""
    return "pingd" if group is None else f"pingd_{sanitize(group)}"


def stonith_param_names(stonith_type: str) -> list[str] | None:
    """Parameter names of a cluster-glue STONITH plugin (``stonith -n -t TYPE``)."""
    tool = shutil.which("stonith")
    if tool is None:
        return None
    try:
        res = subprocess.run(
            [tool, "-n", "-t", stonith_type],
            check=False,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    names = res.stdout.split()
    return names if res.returncode == 0 and names else None


class _Planner:
    def __init__(
        self,
        hacf: HaCf,
        hares: HaResources,
        agents: Agents,
        names: StonithParamNames,
        target: Target,
    ) -> None:
        self.hacf = hacf
        self.hares = hares
        self.agents = agents
        self.stonith_names = names
        self.daemon = target == "pycrm-run"
        self.ids = IdAllocator()
        self.plan = Plan(
            nodes=list(hacf.nodes), properties=[], rsc_defaults=[], resources=[], constraints=[]
        )
        if self.daemon:
            self.plan.version = (0, 0, 0)
        self.placed: list[tuple[str, str | None]] = []  # (rsc id, role) needing ping rules

    # ------------------------------------------------------------------ run
    def run(self) -> Plan:
        self._global_notes()
        ping_attrs = self._ping()
        for group in self.hares.groups:
            self._group(group)
        for rsc, role in self.placed:
            self._ping_rule(rsc, role, ping_attrs)
        self._stonith()
        self._properties()
        self._stickiness()
        if not self.daemon and self._uses_provider("pycrm"):
            self.note(
                "ocf:pycrm agents are used (--agents pycrm): run 'pycrm agents install' on "
                "every node, or convert with --agents heartbeat for resource-agents"
            )
        return self.plan

    def _uses_provider(self, provider: str) -> bool:
        for rsc in self.plan.resources:
            prims = (
                rsc.members
                if isinstance(rsc, Group)
                else [rsc.child if isinstance(rsc, Clone) else rsc]
            )
            if any(p.provider == provider for p in prims):
                return True
        return False

    def warn(self, text: str) -> None:
        self.plan.warnings.append(text)

    def note(self, text: str) -> None:
        self.plan.notes.append(text)

    # ------------------------------------------------------------ resources
    def _group(self, group: ResourceGroup) -> None:
        where = f"{self.hares.path}:{group.line}"
        members: list[Primitive] = []
        drbd: list[tuple[int, str]] = []
        for pos, res in enumerate(group.resources):
            mapped = map_resource(
                res, agents=self.agents, ids=self.ids, where=where, heartbeat_class=self.daemon
            )
            self.plan.warnings.extend(mapped.warnings)
            self.plan.notes.extend(mapped.notes)
            if mapped.primitive is not None:
                members.append(mapped.primitive)
            elif mapped.drbd_resource is not None:
                drbd.append((pos, mapped.drbd_resource))
        node = group.node
        if node not in self.hacf.nodes:
            self.warn(f"{where}: node {node} is not declared in ha.cf")
        top: str | None = None
        if len(members) >= 2:
            gid = self.ids.reserve(group.id_hint or f"group_{members[0].id}")
            self.plan.resources.append(Group(gid, members, source=group.key))
            top = gid
        elif len(members) == 1:
            top = members[0].id
            self.plan.resources.append(members[0])
        if top is not None:
            self._prefer(top, node, None)
            self.placed.append((top, None))
        for pos, drbd_res in drbd:
            clone_id = self._drbd_clone(drbd_res)
            self._prefer(clone_id, node, "Promoted")
            self.placed.append((clone_id, "Promoted"))
            if top is None:
                continue
            self.plan.constraints.append(
                Colocation(
                    self.ids.reserve(f"colocation-{top}-{clone_id}"),
                    rsc=top,
                    with_rsc=clone_id,
                    score="INFINITY",
                    with_rsc_role="Promoted",
                )
            )
            self.plan.constraints.append(
                Order(
                    self.ids.reserve(f"order-{clone_id}-{top}"),
                    first=clone_id,
                    then=top,
                    first_action="promote",
                    then_action="start",
                )
            )
            if pos > 0:
                self.warn(
                    f"{where}: drbddisk::{drbd_res} was not the first resource of its line; "
                    f"all of {top} now starts after the DRBD promotion"
                )

    def _drbd_clone(self, drbd_res: str) -> str:
        provider, type_ = provider_for("drbd", self.agents)
        prim = Primitive(
            id=self.ids.reserve(f"drbd_{drbd_res}"),
            cls="ocf",
            provider=provider,
            type=type_,
            params=[("drbd_resource", drbd_res)],
            ops=drbd_ops(),
            source=f"drbddisk::{drbd_res}",
        )
        clone = Clone(
            self.ids.reserve(f"{prim.id}-clone"),
            prim,
            meta=[
                ("promotable", "true"),
                ("promoted-max", "1"),
                ("promoted-node-max", "1"),
                ("clone-max", "2"),
                ("clone-node-max", "1"),
                ("notify", "true"),
            ],
        )
        self.plan.resources.append(clone)
        return clone.id

    def _prefer(self, rsc: str, node: str, role: str | None) -> None:
        suffix = "-promoted" if role else ""
        self.plan.constraints.append(
            Location(
                self.ids.reserve(f"location-{rsc}-{node}{suffix}"),
                rsc=rsc,
                node=node,
                score=PREFERRED_SCORE,
                role=role,
            )
        )

    # ----------------------------------------------------------------- ping
    def _ping(self) -> list[str]:
        attrs: list[str] = []
        sets: list[tuple[str, str, tuple[str, ...]]] = []
        if self.hacf.ping_nodes:
            sets.append(("ping", ping_attribute(), self.hacf.ping_nodes))
        for name, addrs in self.hacf.ping_groups.items():
            sets.append((f"ping_{sanitize(name)}", ping_attribute(name), addrs))
        if self.daemon:
            attrs = [attr for _, attr, _ in sets]
            if attrs:
                self.note(
                    "ping/ping_group: pycrm run sets "
                    + ", ".join(attrs)
                    + " (1000 per reachable address) on every node; a group is banned "
                    "from nodes where none is reachable"
                )
            return attrs
        for rid, attr, hosts in sets:
            prim = Primitive(
                id=self.ids.reserve(rid),
                cls="ocf",
                provider="pacemaker",
                type="ping",
                params=[("host_list", " ".join(hosts)), ("multiplier", "1000"), ("name", attr)],
                ops=standard_ops("ping"),
            )
            self.plan.resources.append(Clone(self.ids.reserve(f"{prim.id}-clone"), prim))
            attrs.append(attr)
        if attrs:
            ipfail = any(r.path.endswith("/ipfail") for r in self.hacf.respawn)
            self.note(
                "ping/ping_group -> ocf:pacemaker:ping clones; a group is banned from nodes "
                "where no ping node (of a ping_group: none of its addresses) answers"
                + (
                    ""
                    if ipfail
                    else " (heartbeat itself did not act on ping status without ipfail)"
                )
            )
        return attrs

    def _ping_rule(self, rsc: str, role: str | None, attrs: list[str]) -> None:
        if not attrs:
            return
        exprs: list[Expression] = []
        for attr in attrs:
            exprs.append(Expression(attr, "not_defined"))
            exprs.append(Expression(attr, "lte", "0"))
        self.plan.constraints.append(
            Location(
                self.ids.reserve(f"location-{rsc}-connected"),
                rsc=rsc,
                score="-INFINITY",
                role=role,
                rule_expressions=tuple(exprs),
                boolean_op="or",
            )
        )

    # -------------------------------------------------------------- stonith
    def _stonith(self) -> None:
        seen: set[tuple[str, str]] = set()
        for dev in self.hacf.stonith:
            self.warn(
                f"{self.hacf.path}:{dev.line}: stonith {dev.type} {dev.config_file}: a "
                "configuration file cannot be translated; create the fencing device by hand"
            )
        for host in self.hacf.stonith_hosts:
            key = (host.type, host.params)
            if key in seen:
                continue
            seen.add(key)
            names = self.stonith_names(host.type)
            where = f"{self.hacf.path}:{host.line}"
            if names is None:
                self.warn(
                    f"{where}: stonith_host {host.type}: parameter names unknown "
                    "(`stonith -n -t` unavailable); create the fencing device by hand"
                )
                continue
            tokens = host.params.split()
            params = list(zip(names, tokens, strict=False))
            if len(tokens) > len(names) and names:
                params[-1] = (names[-1], " ".join(tokens[len(names) - 1 :]))
            label = "all" if host.host == "*" else host.host
            prim = Primitive(
                id=self.ids.reserve(f"stonith_{sanitize(host.type)}_{label}"),
                cls="stonith",
                type=host.type,
                params=params,
                ops=[Op("start", "0s", "60s"), Op("monitor", "60s", "20s")],
            )
            self.plan.resources.append(prim)
            if host.host != "*":
                self.warn(
                    f"{where}: stonith_host {host.host}: heartbeat used this device only from "
                    f"{host.host}; Pacemaker fencing devices serve the whole cluster - review "
                    f"{prim.id} (e.g. pcmk_host_list)"
                )

    # ----------------------------------------------------------- properties
    def _properties(self) -> None:
        stonith = self.hacf.stonith_configured
        self.plan.properties.append(("stonith-enabled", "true" if stonith else "false"))
        if not stonith:
            self.warn(
                "ha.cf configures no STONITH: stonith-enabled=false keeps heartbeat's behaviour "
                "('Shared disks are not protected'); configure fencing before trusting "
                "shared storage or DRBD to this cluster"
            )
        elif not any(isinstance(r, Primitive) and r.cls == "stonith" for r in self.plan.resources):
            self.warn(
                "stonith-enabled=true but no fencing device could be generated: Pacemaker "
                "will not start resources until one is configured"
            )
        if len(self.hacf.nodes) == 2:
            self.plan.properties.append(("no-quorum-policy", "ignore"))
            self.plan.comments.append(
                "no-quorum-policy=ignore: heartbeat v1 had no quorum, and a two-node cluster "
                "that loses a node loses quorum; 'ignore' lets the survivor keep or take over "
                "the resources as heartbeat did."
                + (
                    ""
                    if self.daemon
                    else " With corosync 3, 'two_node: 1' in the quorum section is the "
                    "better long-term setting."
                )
            )
        elif len(self.hacf.nodes) > 2:
            self.note(
                f"{len(self.hacf.nodes)} nodes: no-quorum-policy left at Pacemaker's default "
                "(stop); heartbeat v1 had no quorum, so a partition now stops resources"
            )

    def _stickiness(self) -> None:
        mode = self.hacf.auto_failback
        if mode == "off":
            value = STICKY_OFF
            why = (
                "auto_failback off -> resource-stickiness=1000: above the preferred-node score "
                "(100), so resources stay where they are; finite so that moves and "
                "-INFINITY rules still win"
            )
        else:
            value = "0"
            why = (
                f"auto_failback {mode} -> resource-stickiness=0: resources return to their "
                "preferred node when it comes back"
            )
            if mode == "legacy":
                why += " (legacy mode asked for its groups back with ip-request: it failed back)"
                self.warn(
                    "auto_failback legacy (heartbeat's default) fails back like 'on': "
                    "resource-stickiness=0; set it to 1000 if resources should stay put"
                )
        self.plan.rsc_defaults.append(("resource-stickiness", value))
        self.plan.comments.append(why)

    # ---------------------------------------------------------------- notes
    def _global_notes(self) -> None:
        cf = self.hacf
        if not cf.manages_resources:
            self.warn(
                f"{cf.path}: crm {cf.crm}: heartbeat ignored haresources in this mode; "
                "converting it anyway"
            )
        if not self.daemon:
            self.note(
                f"heartbeat timing keepalive {cf.keepalive_ms} ms / deadtime {cf.deadtime_ms} ms "
                "is not part of the CIB: set corosync's totem token (default 3000 ms) to choose "
                "the failure-detection time"
            )
        if cf.media and not self.daemon:
            kinds = ", ".join(sorted({m.kind for m in cf.media}))
            self.note(
                f"heartbeat media ({kinds}) are not part of the CIB: configure corosync links"
            )
        for line, text in self.hares.directives:
            self.warn(
                f"{self.hares.path}:{line}: '{text}' (upstream haresources2cib syntax) "
                "is not translated; add the constraint by hand"
            )
        self.plan.warnings.extend(self.hares.warnings)
        self.plan.notes.extend(cf.warnings)
        if self.daemon:
            self.plan.comments.append(
                f"Generated by pycrm run --ha-d from {cf.path} and {self.hares.path}; "
                f"node ids 1..{len(cf.nodes)} follow ha.cf order."
            )
            return
        self.plan.comments.append(
            f"Generated by pycrm haresources2cib from {cf.path} and {self.hares.path}; "
            f"node ids 1..{len(cf.nodes)} follow ha.cf order and must match corosync's nodeids."
        )
        self.note(
            "load with 'cibadmin --replace --xml-file FILE' (admin_epoch=1, so it supersedes "
            "the empty configuration of a freshly started cluster), or install it as "
            "/var/lib/pacemaker/cib/cib.xml before the first start"
        )


def build_plan(
    hacf: HaCf,
    hares: HaResources,
    *,
    agents: Agents = "pycrm",
    stonith_names: StonithParamNames = stonith_param_names,
    target: Target = "pacemaker",
) -> Plan:
    """Translate a parsed ha.d into a Plan (pure apart from `stonith_names`).

    `target` selects who runs the CIB (see the module docstring).
    """
    return _Planner(hacf, hares, agents, stonith_names, target).run()
