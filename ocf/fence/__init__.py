"""Fence agents written in Python, following fence-agents' calling convention.

Pacemaker's fencer execs a fence agent per action with no arguments and the options as
``key=value`` lines on stdin; an admin runs the same agent with flags (``-o off -n plug``).
:mod:`ocf.fence.options` parses both, :mod:`ocf.fence.agent` implements the actions the way
fence-agents' library does (exit codes, messages, waiting for the power state), and each
agent module (:mod:`ocf.fence.netns`) only says how to list, read and switch its plugs.

Like the OCF agents, they import nothing from pycrm's other packages and keep their
start-up lean (no ``typing``, ``dataclasses`` or ``logging`` at run time).
"""

# Fence agents pycrm ships: executable name -> module implementing ``AGENT``.
FENCE_AGENTS: dict[str, str] = {
    "fence_netns": "ocf.fence.netns",
}
