"""What Pacemaker tells an agent through its environment, read once per call."""

from __future__ import annotations

import os
import sys
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

# Leave this much of Pacemaker's op timeout for our own clean-up and exit:
# execd SIGKILLs the whole process group at the timeout, with no grace.
_DEADLINE_MARGIN_S = 1.0
_DEFAULT_TIMEOUT_MS = 20000


def _int(text: str | None, default: int) -> int:
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        return default


class OcfEnv:
    """The invocation context: action, instance, timing and clone meta-data.

    A plain slotted class rather than a dataclass: `dataclasses` imports
    `inspect`, ~8 ms of start-up on every agent call.
    """

    __slots__ = (
        *("action", "check_level", "environ", "instance", "interval_ms", "node"),
        *("started", "timeout_ms", "type"),
    )

    def __init__(
        self,
        *,
        action: str,
        instance: str,
        type: str,
        timeout_ms: int,
        interval_ms: int,
        check_level: int,
        node: str,
        started: float,
        environ: Mapping[str, str],
    ) -> None:
        self.action = action
        self.instance = instance
        self.type = type
        self.timeout_ms = timeout_ms
        self.interval_ms = interval_ms
        self.check_level = check_level
        self.node = node
        self.started = started
        self.environ = environ

    def __repr__(self) -> str:
        return (
            f"OcfEnv(action={self.action!r}, instance={self.instance!r}, type={self.type!r},"
            f" timeout_ms={self.timeout_ms}, interval_ms={self.interval_ms},"
            f" check_level={self.check_level}, node={self.node!r})"
        )

    @classmethod
    def from_environ(cls, action: str, environ: Mapping[str, str], agent_type: str) -> OcfEnv:
        node = environ.get("OCF_RESKEY_CRM_meta_on_node") or os.uname().nodename
        return cls(
            action=action,
            instance=environ.get("OCF_RESOURCE_INSTANCE", agent_type),
            type=environ.get("OCF_RESOURCE_TYPE", agent_type),
            timeout_ms=_int(environ.get("OCF_RESKEY_CRM_meta_timeout"), _DEFAULT_TIMEOUT_MS),
            # Pacemaker leaves the interval out entirely for probes.
            interval_ms=_int(environ.get("OCF_RESKEY_CRM_meta_interval"), 0),
            check_level=_int(environ.get("OCF_CHECK_LEVEL"), 0),
            node=node,
            started=time.monotonic(),
            environ=environ,
        )

    @property
    def is_probe(self) -> bool:
        """Whether this call is a probe: ocf-shellfuncs' ocf_is_probe, exactly.

        ocf-shellfuncs does `: ${OCF_RESKEY_CRM_meta_interval=0}` (a default for
        an *unset* variable only), then calls a probe a `monitor` whose interval
        is the string "0". Pacemaker passes no interval at all for a probe, so
        unset counts; a recurring monitor always has a non-zero interval (ms).
        """
        interval = self.environ.get("OCF_RESKEY_CRM_meta_interval", "0")
        return self.action == "monitor" and interval == "0"

    @property
    def deadline(self) -> float:
        """time.monotonic() value by which the action must have returned."""
        budget = max(self.timeout_ms / 1000.0 - _DEADLINE_MARGIN_S, self.timeout_ms / 2000.0)
        return self.started + budget

    def remaining(self) -> float:
        """Seconds left before the deadline (never negative)."""
        return max(0.0, self.deadline - time.monotonic())

    def meta(self, name: str, default: str = "") -> str:
        """A CRM_meta_* value (clone and notify meta-data)."""
        return self.environ.get(f"OCF_RESKEY_CRM_meta_{name}", default)

    @property
    def under_pacemaker(self) -> bool:
        return "OCF_RESKEY_crm_feature_set" in self.environ

    def announce_main_pid(self, pid: int) -> None:
        """Tell pycrm's executor the service's main PID (docs/daemon.md, "Service-level
        watching"): a stderr line ``<prefix><pid>``, only when the executor asked for it
        with PYCRM_MAIN_PID_PREFIX (Pacemaker does not, so its agents stay silent)."""
        prefix = self.environ.get("PYCRM_MAIN_PID_PREFIX")
        if prefix:
            sys.stderr.write(f"{prefix}{pid}\n")
            sys.stderr.flush()


def effective_level(requested: int, supported: tuple[int, ...]) -> int:
    """The deepest supported check level not above the requested one.

    OCF says an agent must fall back to the next lower level it supports; the
    shell Filesystem agent instead fails with rc 6 (fatal) on e.g. level 5.
    """
    candidates = [lvl for lvl in supported if lvl <= requested]
    return max(candidates) if candidates else 0
