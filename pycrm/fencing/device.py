"""A fencing device and the rules Pacemaker 2.1.5's fencer applies to it (pure).

A device is a ``stonith`` class primitive: its id, its agent (``fence_netns``) and its
instance attributes evaluated for the node that runs the fencer (:class:`FenceDevice`).
What its agent supports comes from the agent's meta-data (:class:`AgentInfo`).

Parameters Pacemaker handles itself and never passes to the agent
(:func:`is_pacemaker_param`): ``pcmk_host_argument``, ``pcmk_host_check``,
``pcmk_host_list``, ``pcmk_host_map``, ``pcmk_delay_base``, ``pcmk_delay_max``,
``pcmk_action_limit``, every ``pcmk_<action>_action|_timeout|_retries``, ``provides``,
``stonith-timeout``, meta attributes, ``crm_feature_set`` and ``action``.  A configured
``action`` is mapped as the fencer does (:func:`device_params`): ``off`` becomes
``pcmk_reboot_action=off``, another value both ``pcmk_off_action`` and
``pcmk_reboot_action`` (unless those are set), ``reboot`` is ignored.

Which nodes a device can fence (``pcmk_host_check``, :func:`check_type`): ``static-list``
(default when ``pcmk_host_list`` or ``pcmk_host_map`` is set) -- the node is in the list
or in the map; ``dynamic-list`` (default when the agent has a ``list`` action) -- the node
(or its mapped plug) is in the output of ``list``, refreshed when older than 60 s; after a
first ``list`` that fails, an implicit check falls back to ``status``; ``status`` (default
when the agent has ``status``) -- ``status`` for the node exits 0 (on) or 2 (off);
``none`` -- any node.  A node never fences itself unless the request allows it (the
controller never does), except with an action the agent runs ``on_target``.

Delays (:meth:`FenceDevice.start_delay`): ``pcmk_delay_base`` (one time, or a
``node:time`` map) plus a random part up to ``pcmk_delay_max`` (the total stays below
it), for ``off`` and ``reboot`` only, added to the delay the request asked for
(``priority-fencing-delay``); a requested delay of -1 disables them.  Timeouts: a
``pcmk_<action>_timeout`` overrides the request's (``stonith-timeout``); a ``reboot``
the agent cannot do runs as ``off`` with the ``off`` timeout.  Retries:
``pcmk_<action>_retries`` (default 2) runs in all, while at least 30% of the timeout is
left and the last run did not time out.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from cib._xml import make_parser
from cib.timespec import parse_interval_ms
from pycrm.fencing.targets import contains, lookup, parse_delay_map, parse_host_map, parse_targets

HOST_ARGUMENT = "pcmk_host_argument"
HOST_CHECK = "pcmk_host_check"
HOST_LIST = "pcmk_host_list"
HOST_MAP = "pcmk_host_map"
DELAY_BASE = "pcmk_delay_base"
DELAY_MAX = "pcmk_delay_max"
ACTION_LIMIT = "pcmk_action_limit"
CHECK_TYPES = ("static-list", "dynamic-list", "status", "none")
FENCING_ACTIONS = ("off", "reboot")  # pcmk__is_fencing_action: the ones delays apply to
DEFAULT_RETRIES = 2  # FAILURE_MAX_RETRIES
LIST_TTL = 60.0  # a dynamic list older than this is refreshed
RETRY_FRACTION = 0.7  # retry only while less than 70% of the timeout has passed
METADATA_TIMEOUT_S = 10

_OWN = frozenset(
    {ACTION_LIMIT, DELAY_BASE, DELAY_MAX, HOST_ARGUMENT, HOST_CHECK, HOST_LIST, HOST_MAP}
)


def is_pacemaker_param(name: str) -> bool:
    """True for a parameter Pacemaker handles and never passes to a fence agent."""
    if name in ("provides", "stonith-timeout", "action", "crm_feature_set"):
        return True
    if "CRM_meta" in name:
        return True
    if not name.startswith("pcmk_"):
        return False
    if name in _OWN:
        return True
    rest = name[5:]
    cut = rest.find("_")
    return cut >= 0 and rest[cut:] in ("_action", "_timeout", "_retries")


def device_params(raw: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Instance attributes -> device parameters (the ``action`` mapping), with warnings."""
    params = dict(raw)
    warnings: list[str] = []
    value = params.pop("action", None)
    if value is None:
        return params, warnings
    warnings.append("has 'action' parameter, which should never be specified in configuration")
    if value == "":
        warnings.append("Ignoring empty 'action' parameter")
    elif value == "reboot":
        warnings.append("Ignoring action='reboot' (see stonith-action cluster property instead)")
    else:
        for action in ("reboot",) if value == "off" else ("off", "reboot"):
            key = f"pcmk_{action}_action"
            if key in params:
                warnings.append(f"Ignoring action='{value}', see {key} instead")
            else:
                warnings.append(f"Mapping action='{value}' to {key}='{value}'")
                params[key] = value
    return params, warnings


def seconds(value: str | None) -> int:
    """A Pacemaker interval in whole seconds (0 when absent or unreadable)."""
    if value is None:
        return 0
    try:
        return parse_interval_ms(value) // 1000
    except ValueError:
        return 0


@dataclass(frozen=True)
class AgentInfo:
    """What a fence agent's meta-data says (Pacemaker reads the same elements)."""

    known: bool = False  # False: no meta-data (yet, or the agent failed to give one)
    host_arg: str | None = None  # "port" or "plug": how the agent takes the target
    supports_list: bool = False
    supports_status: bool = False
    supports_reboot: bool = False
    include_nodeid: bool = False  # the agent has a "nodeid" parameter
    automatic_unfencing: bool = False
    on_target: frozenset[str] = frozenset()  # actions that must run on the target itself

    @classmethod
    def from_metadata(cls, xml: str | bytes) -> AgentInfo:
        """Parse a fence agent's meta-data; ValueError when it is not XML."""
        data = xml.encode() if isinstance(xml, str) else xml
        try:
            root = etree.fromstring(data, parser=make_parser())
        except etree.XMLSyntaxError as exc:
            raise ValueError(f"fence agent meta-data is not XML: {exc.msg}") from None
        params = {str(p.get("name", "")).lower() for p in root.iter("parameter")}
        host_arg = "port" if "port" in params else "plug" if "plug" in params else None
        actions: set[str] = set()
        on_target: set[str] = set()
        unfencing = False
        for el in root.iter("action"):
            name = str(el.get("name", "")).lower()
            actions.add(name)
            if name == "on" and (_true(el.get("automatic")) or _true(el.get("required"))):
                unfencing = True
            if _true(el.get("on_target")):
                on_target.add(name)
        return cls(
            known=True,
            host_arg=host_arg,
            supports_list="list" in actions,
            supports_status="status" in actions,
            supports_reboot="reboot" in actions,
            include_nodeid="nodeid" in params,
            automatic_unfencing=unfencing,
            on_target=frozenset(on_target),
        )


def _true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("1", "true", "yes", "on", "y")


@dataclass(frozen=True)
class FenceDevice:
    """A registered fencing device: ``params`` are the evaluated instance attributes."""

    id: str
    agent: str
    params: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_attributes(cls, id: str, agent: str, raw: Mapping[str, str]) -> FenceDevice:
        return cls(id, agent, device_params(raw)[0])

    @property
    def host_map(self) -> dict[str, str]:
        return parse_host_map(self.params.get(HOST_MAP))

    @property
    def static_targets(self) -> list[str]:
        """``pcmk_host_list`` entries, then the plugs of ``pcmk_host_map``."""
        return parse_targets(self.params.get(HOST_LIST)) + list(self.host_map.values())

    def alias(self, target: str) -> str:
        """What the agent calls ``target`` (its plug in ``pcmk_host_map``, else itself)."""
        return lookup(self.host_map, target) or target

    def check_type(self, info: AgentInfo, *, list_failed: bool = False) -> str:
        """``pcmk_host_check`` as configured, else Pacemaker's default for this device."""
        explicit = self.params.get(HOST_CHECK)
        if explicit is not None:
            return explicit
        if HOST_LIST in self.params or HOST_MAP in self.params:
            return "static-list"
        if list_failed:
            return "status"
        if info.supports_list:
            return "dynamic-list"
        if info.supports_status:
            return "status"
        return "none"

    def agent_action(self, action: str, info: AgentInfo) -> str:
        """The action the fencer runs: a ``reboot`` the agent cannot do becomes ``off``."""
        if action == "reboot" and info.known and not info.supports_reboot:
            return "off"
        return action

    def timeout(self, action: str, default_s: int, info: AgentInfo) -> int:
        """``pcmk_<action>_timeout`` (seconds) or ``default_s``."""
        value = self.params.get(f"pcmk_{self.agent_action(action, info)}_timeout")
        if value is None:
            return default_s
        try:
            return int(value.strip().split(".")[0] or 0)
        except ValueError:
            return 0  # atoi() of a non-number

    def retries(self, action: str) -> int:
        value = self.params.get(f"pcmk_{action}_retries")
        if value is None:
            return DEFAULT_RETRIES
        try:
            return int(value)
        except ValueError:
            return 0

    def delay_max(self, action: str) -> int:
        if action not in FENCING_ACTIONS:
            return 0
        return seconds(self.params.get(DELAY_MAX))

    def delay_base(self, action: str, target: str | None) -> int:
        if action not in FENCING_ACTIONS:
            return 0
        return seconds(parse_delay_map(self.params.get(DELAY_BASE), target))

    def start_delay(
        self, action: str, target: str | None, requested: int, rng: random.Random | None = None
    ) -> int:
        """Seconds before the agent runs: ``requested`` (-1: no delay at all) plus the
        device's static and random delays."""
        if requested < 0:
            return 0
        dmax = self.delay_max(action)
        base = self.delay_base(action, target)
        if dmax == 0:
            dmax = base
        base = min(base, dmax)
        if dmax <= 0:
            return requested
        spread = dmax - base
        # not for security: spreading fence races (Pacemaker uses rand())
        extra = (rng or random.Random()).randrange(spread) if spread > 0 else 0  # noqa: S311
        return requested + base + extra


# ------------------------------------------------------------------------- eligibility
@dataclass(frozen=True)
class ListState:
    """What the fencer remembers of a device's ``list`` (dynamic-list check)."""

    targets: tuple[str, ...] | None = None  # None: never listed successfully
    refreshed_at: float = 0.0
    list_failed: bool = False  # a first list failed: an implicit check uses "status"


def local_eligible(
    info: AgentInfo, action: str, target: str, local_node: str, allow_suicide: bool
) -> bool:
    """Pacemaker's localhost_is_eligible."""
    is_target = target.lower() == local_node.lower()
    if action in info.on_target:
        return is_target
    return not (is_target and not allow_suicide)


def eligibility(
    device: FenceDevice,
    info: AgentInfo,
    state: ListState,
    target: str,
    action: str,
    *,
    local_node: str,
    allow_suicide: bool = False,
    now: float = 0.0,
) -> str:
    """Can ``device`` run ``action`` against ``target`` from ``local_node``?  ``"yes"``,
    ``"no"``, or what must run first: ``"list"`` (then :func:`after_list`) or
    ``"status"`` (then :func:`status_says_capable`)."""
    if action == "reboot":
        allowed = (
            local_eligible(info, "reboot", target, local_node, allow_suicide)
            or local_eligible(info, "off", target, local_node, allow_suicide)
            or local_eligible(info, "on", target, local_node, False)
        )
    else:
        allowed = local_eligible(info, action, target, local_node, allow_suicide)
    if not allowed:
        return "no"
    check = device.check_type(info, list_failed=state.list_failed)
    if check == "none":
        return "yes"
    if check == "static-list":
        if contains(device.static_targets, target) or (
            HOST_MAP in device.params and lookup(device.host_map, target) is not None
        ):
            return "yes"
        return "no"
    if check == "dynamic-list":
        if state.targets is None or state.refreshed_at + LIST_TTL < now:
            return "list"
        return "yes" if contains(list(state.targets), device.alias(target)) else "no"
    if check == "status":
        return "status"
    return "no"  # an invalid pcmk_host_check


def after_list(
    device: FenceDevice,
    state: ListState,
    target: str,
    *,
    ok: bool,
    output: str,
    now: float,
) -> tuple[ListState, bool]:
    """A ``list`` run finished: the new state and whether ``device`` can fence ``target``
    (Pacemaker's dynamic_list_search_cb)."""
    if ok:
        state = ListState(tuple(parse_targets(output)), now, state.list_failed)
    elif state.targets is None and HOST_CHECK not in device.params:
        state = ListState(None, state.refreshed_at, list_failed=True)
    if state.targets is None:
        return state, False
    return state, contains(list(state.targets), device.alias(target))


def status_says_capable(exit_status: int, done: bool) -> bool:
    """A ``status`` run answers "can fence" with exit 0 (on) or 2 (off)."""
    return done and exit_status in (0, 2)


# --------------------------------------------------------------------------- arguments
def agent_args(
    agent: str,
    action: str,
    params: Mapping[str, str] | None,
    *,
    target: str | None = None,
    target_nodeid: str | None = None,
    host_arg: str | None = None,
) -> dict[str, str]:
    """The ``key=value`` arguments of one agent run (Pacemaker's make_args): ``action``
    (or its ``pcmk_<action>_action`` substitute); for a fencing run ``nodename``, the
    optional ``nodeid`` and the target (its plug in ``pcmk_host_map``) under
    ``pcmk_host_argument`` (default: the agent's ``port``/``plug`` parameter, else
    ``port``; ``none`` passes none) unless that parameter is configured (other than
    ``dynamic``); then every parameter the agent may see."""
    args: dict[str, str] = {}
    if params is not None:
        action = params.get(f"pcmk_{action}_action", action)
    args["action"] = action
    target_param = None
    if target is not None and params is not None:
        args["nodename"] = target
        if target_nodeid:
            args["nodeid"] = target_nodeid
        param = params.get(HOST_ARGUMENT) or host_arg or "port"
        if agent != "fence_legacy" and param.lower() != "none":
            value = params.get(param)
            if value is None or value.lower() == "dynamic":
                alias = lookup(parse_host_map(params.get(HOST_MAP)), target)
                args[param] = alias or target
                target_param = param
    for name, value in (params or {}).items():
        # the configured "dynamic" placeholder never replaces the target
        if not is_pacemaker_param(name) and name != target_param:
            args[name] = value
    return args


def stdin_text(args: Mapping[str, str]) -> str:
    """What a fence agent reads on stdin: one ``name=value`` line per argument."""
    return "".join(f"{name}={value}\n" for name, value in args.items())
