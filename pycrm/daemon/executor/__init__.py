"""The executor: runs resource agents for this node (see docs/daemon.md, "Execution").

* :class:`OpRequest` / :class:`OpResult` -- what is asked and what comes back
  (JSON-serialisable, validated when decoded);
* :func:`build_request` -- the DC side: a scheduler action -> a request;
* :class:`Executor` -- runs requests in the daemon's selector loop;
* :class:`AgentPaths` -- where agents are found;
* :mod:`.codes` -- OCF rc and executor status values.
"""

from pycrm.daemon.executor.build import BuildError, build_request
from pycrm.daemon.executor.classes import AgentPaths
from pycrm.daemon.executor.request import CRM_FEATURE_SET, OpRequest, OpResult
from pycrm.daemon.executor.shell import Executor

__all__ = [
    "CRM_FEATURE_SET",
    "AgentPaths",
    "BuildError",
    "Executor",
    "OpRequest",
    "OpResult",
    "build_request",
]
