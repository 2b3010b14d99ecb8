"""What the CIB records when a node was fenced (pure): the changes the DC applies.

Pacemaker 2.1.5's controller, told that fencing ``target`` succeeded
(``send_stonith_update``), writes the node's ``node_state`` as a node that is gone and not
expected back -- ``in_ccm="false" crmd="offline" join="down" expected="down"`` -- and then
erases its resource history (``lrm``) and transient attributes
(``controld_delete_node_state(..., controld_section_all)``): everything that ran there is
known stopped, so the scheduler recovers it elsewhere and the node rejoins with a clean
slate.  ``crm_simulate -S`` does the same for a simulated fencing
(``simulate_fencing_action``), which the tests compare with.  An ``on`` (unfencing) changes
nothing.

A failed fencing changes nothing in the CIB: the node stays as it was (UNCLEAN in the
scheduler's eyes), and the scheduler asks again in its next transition.
"""

from __future__ import annotations

from cib import patch

FENCED_STATE = {"in_ccm": "false", "crmd": "offline", "join": "down", "expected": "down"}
ORIGIN = "send_stonith_update"


def fenced_changes(target: str, action: str = "reboot", *, ok: bool = True) -> list[patch.Change]:
    """The changes for "``target`` was fenced with ``action``": none for a failed fencing
    or an ``on``."""
    if not ok or action == "on":
        return []
    return [
        patch.SetNodeState(target, {**FENCED_STATE, "crm-debug-origin": ORIGIN}),
        patch.ClearNodeState(target, "all"),
    ]
