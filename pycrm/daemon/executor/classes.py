"""Resource agent classes: where an agent lives, how it is called, what its exit means.

Pure: file-system checks are injected (``exists``, ``executable``), nothing is run here.
:func:`resolve` turns a request into an :class:`Invocation` (argv, environment, the action
as run) or None when the class or the agent is unknown, which the executor reports as OCF
"not installed" (rc 5, op-status 7) without running anything.

* ``ocf``: ``<ocf_root>/resource.d/<provider>/<type> <action>``.  pycrm's own agents
  (provider ``pycrm``) run from the installed package when no launcher was installed
  there: the interpreter is given ``ocf.install``'s launcher text with ``-c`` (in isolated
  mode: no current directory, no ``PYTHON*`` variables on the path), so it is the same
  launcher ``pycrm agents install`` writes.
* ``lsb``: ``<init_dir>/<type> <action>``, ``monitor`` run as ``status``; exit codes mapped
  like Pacemaker's ``services__lsb2ocf`` (status: 0 running, 1-3 stopped, 150 not installed,
  151 insufficient privileges, anything else an error; other actions: 0-7 as OCF, above
  that an error).
* ``heartbeat``: ``<ha.d>/resource.d/<type>`` (then ``/etc/ha.d/resource.d``), the instance
  attributes named ``1``, ``2``, ... as positional arguments before the action (a missing
  number is skipped), ``monitor`` run as ``status``.  A status is judged from its output,
  never its exit code, as Pacemaker's heartbeat class did: lower-cased output containing
  ``stopped`` or ``not ... running`` means stopped, else ``running`` (or ``OK``, case
  sensitive) means running, anything else (no output included) stopped.  Other actions map
  like LSB ones.
* ``stonith``: fence agents, run the way Pacemaker's fencer runs them (see
  :mod:`.stonith`): ``<fence_dir>/<type>`` with no arguments and ``key=value`` lines on
  stdin; ``start`` runs the agent's ``monitor``, ``stop`` runs nothing, a probe answers from
  what this executor did (started and not stopped since: running).

:func:`resolve` may also answer :class:`Immediate`: a result without running anything.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from pycrm.daemon.executor import environment as envmod
from pycrm.daemon.executor.codes import (
    OCF_DEGRADED,
    OCF_DEGRADED_PROMOTED,
    OCF_FAILED_PROMOTED,
    OCF_INSUFFICIENT_PRIV,
    OCF_NOT_INSTALLED,
    OCF_NOT_RUNNING,
    OCF_OK,
    OCF_UNKNOWN_ERROR,
)
from pycrm.daemon.executor.request import OpRequest

BUILTIN_PROVIDER = "pycrm"
LEGACY_HA_DIR = "/etc/ha.d"
MAX_POSITIONAL = 61  # Pacemaker's MAX_ARGC (64) minus the script, the action and the NULL

# LSB status exit codes (include/crm/services.h enum lsb_status_exitcode).
LSB_STATUS_OK = 0
LSB_STATUS_VAR_PID = 1
LSB_STATUS_VAR_LOCK = 2
LSB_STATUS_NOT_RUNNING = 3
LSB_STATUS_NOT_INSTALLED = 150
LSB_STATUS_INSUFFICIENT_PRIV = 151
LSB_NOT_RUNNING = 7  # highest LSB code shared with OCF for non-status actions


def _is_file(path: str) -> bool:
    return os.path.isfile(path)


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


@dataclass(frozen=True)
class AgentPaths:
    """Where agents are looked for; ``extra_env`` is added to (or overrides) the clean
    base environment of every agent call (see :mod:`.environment`)."""

    ocf_root: str = "/usr/lib/ocf"
    init_dir: str = "/etc/init.d"
    ha_dir: str = LEGACY_HA_DIR
    fence_dir: str = "/usr/sbin"  # fence agents (Pacemaker's PCMK__FENCE_BINDIR)
    python: str = sys.executable  # interpreter for pycrm's own agents
    extra_env: Mapping[str, str] = field(default_factory=dict)

    def base_env(self) -> dict[str, str]:
        return envmod.base_environment(self.extra_env)


@dataclass(frozen=True)
class Probe:
    """File-system checks used to locate agents (injected so resolution stays pure)."""

    exists: Callable[[str], bool] = _is_file
    executable: Callable[[str], bool] = _is_executable


@dataclass(frozen=True)
class Invocation:
    argv: tuple[str, ...]
    env: Mapping[str, str]
    action: str  # the action as run ("status" for an LSB monitor)
    agent_class: AgentClass
    stdin: bytes | None = None  # written to the agent's stdin (None: /dev/null)
    stderr_reason: bool = False  # exit reason: the agent's last "ERROR: " line on stderr


@dataclass(frozen=True)
class Immediate:
    """A result known without running an agent (a stonith ``stop``, a stonith probe).

    ``rc`` None means "what this executor knows of the resource": running (0) when its
    last conclusive operation here left it started, else not running (7)."""

    rc: int | None
    op_status: int = 0
    exit_reason: str = ""


class AgentClass(Protocol):
    name: str
    exit_reasons: bool  # exit reasons are read from stderr (OCF only, as Pacemaker)
    file_based: bool  # the type names a file in a directory (so it may not contain "/")

    def invocation(
        self, req: OpRequest, paths: AgentPaths, probe: Probe
    ) -> Invocation | Immediate | None:
        """argv and environment for ``req``, an immediate result, or None when the agent
        cannot be found."""
        ...

    def map_exit(self, action: str, exit_status: int, stdout: str) -> int:
        """The OCF rc for an agent that ran ``action`` and exited with ``exit_status``."""
        ...


def ocf2ocf(exit_status: int) -> int:
    """Pacemaker's ``services__ocf2ocf``: unknown codes become a generic error."""
    if exit_status in (OCF_DEGRADED, OCF_DEGRADED_PROMOTED):
        return exit_status
    if exit_status < 0 or exit_status > OCF_FAILED_PROMOTED:
        return OCF_UNKNOWN_ERROR
    return exit_status


def lsb2ocf(action: str, exit_status: int) -> int:
    """Pacemaker's ``services__lsb2ocf``."""
    if action not in ("status", "monitor"):
        if exit_status < 0 or exit_status > LSB_NOT_RUNNING:
            return OCF_UNKNOWN_ERROR
        return exit_status
    if exit_status == LSB_STATUS_OK:
        return OCF_OK
    if exit_status == LSB_STATUS_NOT_INSTALLED:
        return OCF_NOT_INSTALLED
    if exit_status == LSB_STATUS_INSUFFICIENT_PRIV:
        return OCF_INSUFFICIENT_PRIV
    if exit_status in (LSB_STATUS_VAR_PID, LSB_STATUS_VAR_LOCK, LSB_STATUS_NOT_RUNNING):
        return OCF_NOT_RUNNING
    return OCF_UNKNOWN_ERROR


def heartbeat_status(stdout: str) -> int:
    """Running (0) or stopped (7) from a heartbeat resource script's status output."""
    lower = stdout.lower()
    not_at = lower.find("not")
    if "stopped" in lower or (not_at >= 0 and "running" in lower[not_at + 3 :]):
        return OCF_NOT_RUNNING
    if "running" in lower or "OK" in stdout:
        return OCF_OK
    return OCF_NOT_RUNNING


class OcfClass:
    name = "ocf"
    exit_reasons = True
    file_based = True

    def invocation(self, req: OpRequest, paths: AgentPaths, probe: Probe) -> Invocation | None:
        if req.provider is None:
            return None
        path = os.path.join(paths.ocf_root, "resource.d", req.provider, req.agent)
        env = envmod.ocf_environment(req, paths.ocf_root, paths.base_env())
        if probe.exists(path):
            return Invocation((path, req.action), env, req.action, self)
        builtin = builtin_argv(req, paths.python)
        if builtin is None:
            return None
        return Invocation((*builtin, req.action), env, req.action, self)

    def map_exit(self, action: str, exit_status: int, stdout: str) -> int:
        return ocf2ocf(exit_status)


def builtin_argv(req: OpRequest, python: str) -> tuple[str, ...] | None:
    """The interpreter command that runs one of pycrm's agents without an installed
    launcher (None if ``req`` is not for one of them)."""
    if req.provider != BUILTIN_PROVIDER:
        return None
    from ocf.agents import AGENTS

    if req.agent not in AGENTS:
        return None
    from ocf.install import launcher_text

    return (python, "-I", "-S", "-c", launcher_text(req.agent, python))


class LsbClass:
    name = "lsb"
    exit_reasons = False
    file_based = True

    def invocation(self, req: OpRequest, paths: AgentPaths, probe: Probe) -> Invocation | None:
        path = os.path.join(paths.init_dir, req.agent)
        if not probe.exists(path):
            return None
        action = _status_for_monitor(req.action)
        return Invocation((path, action), paths.base_env(), action, self)

    def map_exit(self, action: str, exit_status: int, stdout: str) -> int:
        return lsb2ocf(action, exit_status)


class HeartbeatClass:
    name = "heartbeat"
    exit_reasons = False
    file_based = True

    def invocation(self, req: OpRequest, paths: AgentPaths, probe: Probe) -> Invocation | None:
        path = None
        for ha_dir in dict.fromkeys((paths.ha_dir, LEGACY_HA_DIR)):
            candidate = os.path.join(ha_dir, "resource.d", req.agent)
            if probe.executable(candidate):
                path = candidate
                break
        if path is None:
            return None
        action = _status_for_monitor(req.action)
        ha_dir = os.path.dirname(os.path.dirname(path))
        env = envmod.heartbeat_environment(req, ha_dir, paths.base_env())
        return Invocation((path, *positional_args(req.params), action), env, action, self)

    def map_exit(self, action: str, exit_status: int, stdout: str) -> int:
        if action == "status":
            return heartbeat_status(stdout)
        return lsb2ocf(action, exit_status)


def positional_args(params: Mapping[str, str]) -> tuple[str, ...]:
    """Instance attributes ``1``, ``2``, ... in order (gaps skipped, like Pacemaker)."""
    return tuple(params[str(n)] for n in range(1, MAX_POSITIONAL + 1) if str(n) in params)


def _status_for_monitor(action: str) -> str:
    return "status" if action == "monitor" else action


def _stonith_class() -> AgentClass:
    from pycrm.daemon.executor.stonith import StonithClass

    return StonithClass()


CLASSES: dict[str, AgentClass] = {
    "ocf": OcfClass(),
    "lsb": LsbClass(),
    "heartbeat": HeartbeatClass(),
    "stonith": _stonith_class(),
}


def resolve(
    req: OpRequest,
    paths: AgentPaths,
    probe: Probe | None = None,
    classes: Mapping[str, AgentClass] | None = None,
) -> Invocation | Immediate | None:
    """How to run ``req``: None for an unknown class or an agent that is not installed."""
    table = CLASSES if classes is None else classes
    agent_class = table.get(req.rsc_class)
    if agent_class is None or (agent_class.file_based and "/" in req.agent):
        return None
    return agent_class.invocation(req, paths, probe or Probe())
