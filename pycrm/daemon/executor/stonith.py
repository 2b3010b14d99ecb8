"""The ``stonith`` agent class: fence agents, run as Pacemaker 2.1.5's fencer runs them.

A fence agent is ``<fence_dir>/<type>`` (``/usr/sbin/fence_ipmilan``) exec'd with no
arguments, its options as ``key=value`` lines on stdin (:func:`pycrm.fencing.device.
agent_args`): ``action=...``, for a fencing run ``nodename=<target>`` and the target's plug
under the agent's ``port``/``plug`` parameter (``pcmk_host_map`` applied), then every
instance attribute Pacemaker does not handle itself (``pcmk_*`` and meta attributes never
reach the agent; ``pcmk_<action>_action`` replaces the action).  pycrm's own fence agents
(``fence_netns``) run from the installed package when not installed in ``fence_dir``.
Every run gets ``PCMK_service=pacemaker-fenced``, as under Pacemaker: fence-agents then
leave the power-state wait to the fencer's timeout (``disable_timeout``).

The operations of a ``stonith`` resource, as Pacemaker's executor does them:

* ``start``: the agent's ``monitor`` (Pacemaker registers the device, then monitors it);
* ``stop``: nothing runs, success;
* probe (``monitor``, interval 0): nothing runs; running when this executor started the
  device and did not stop it since, else not running;
* recurring ``monitor``: the agent's ``monitor``.

Fencing runs (from :class:`pycrm.fencing.fencer.Fencer`) are requests of this class with the
agent action itself (``off``, ``on``, ``reboot``, ``list``, ``status``, ``meta-data``) and
meta attributes naming the target: ``stonith_target`` (node), ``stonith_target_id``
(optional node id, for agents with a ``nodeid`` parameter) and ``stonith_host_arg`` (the
agent's ``port``/``plug`` parameter from its meta-data; empty: ``port``).

Results: exit 0 is success (rc 0); any other exit a generic error (rc 1) with the agent's
last ``ERROR:`` line on stderr as the exit reason -- except ``status``, whose rc is the
agent's exit status itself (0 on, 2 off, 1 unknown), which is what the fencer reads.
"""

from __future__ import annotations

import os

from pycrm.daemon.executor.classes import AgentPaths, Immediate, Invocation, Probe
from pycrm.daemon.executor.codes import OCF_OK, OCF_UNKNOWN_ERROR
from pycrm.daemon.executor.request import OpRequest
from pycrm.fencing.device import agent_args, device_params, stdin_text

TARGET = "stonith_target"
TARGET_ID = "stonith_target_id"
HOST_ARG = "stonith_host_arg"
FENCER_ENV = {"PCMK_service": "pacemaker-fenced"}


def agent_action(req: OpRequest) -> str:
    """The action the agent is asked for (``start`` and ``monitor`` -> ``monitor``)."""
    if req.action in ("start", "monitor"):
        return "monitor"
    if req.action == "meta-data":
        return "metadata"
    return req.action


def stdin_for(req: OpRequest) -> str:
    """The ``key=value`` lines ``req`` gives its agent."""
    params, _warnings = device_params(req.params)
    action = agent_action(req)
    target = req.meta.get(TARGET) or None
    if action == "metadata":
        return stdin_text({"action": action})
    args = agent_args(
        req.agent,
        action,
        params,
        target=target,
        target_nodeid=req.meta.get(TARGET_ID) or None,
        host_arg=req.meta.get(HOST_ARG) or None,
    )
    return stdin_text(args)


def builtin_fence_argv(agent: str, python: str) -> tuple[str, ...] | None:
    """The interpreter command that runs one of pycrm's fence agents without an installed
    launcher (None if ``agent`` is not one of them)."""
    from ocf.fence import FENCE_AGENTS

    if agent not in FENCE_AGENTS:
        return None
    from ocf.install import fence_launcher_text

    return (python, "-I", "-S", "-c", fence_launcher_text(agent, python))


class StonithClass:
    name = "stonith"
    exit_reasons = True  # from the agent's last ERROR line (Invocation.stderr_reason)
    file_based = True

    def invocation(
        self, req: OpRequest, paths: AgentPaths, probe: Probe
    ) -> Invocation | Immediate | None:
        if req.action == "stop":
            return Immediate(OCF_OK)
        if req.probe:
            return Immediate(None)
        action = agent_action(req)
        env = {**paths.base_env(), **FENCER_ENV}
        stdin = stdin_for(req).encode()
        path = os.path.join(paths.fence_dir, os.path.basename(req.agent))
        if probe.executable(path):
            argv: tuple[str, ...] = (path,)
        else:
            builtin = builtin_fence_argv(req.agent, paths.python)
            if builtin is None:
                return None
            argv = builtin
        return Invocation(argv, env, action, self, stdin=stdin, stderr_reason=True)

    def map_exit(self, action: str, exit_status: int, stdout: str) -> int:
        if action == "status":
            return exit_status
        return OCF_OK if exit_status == 0 else OCF_UNKNOWN_ERROR
