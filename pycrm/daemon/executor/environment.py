"""The environment an agent runs with (pure).

Agents never see the daemon's own environment: every call starts from a small clean base
(:data:`BASE_ENV`, extendable by configuration) and adds what Pacemaker 2.1.5's executor adds
for the agent's class:

* ``ocf``: ``OCF_ROOT``, ``OCF_RA_VERSION_MAJOR``/``MINOR`` (1.1), ``OCF_RESOURCE_INSTANCE``,
  ``OCF_RESOURCE_TYPE``, ``OCF_RESOURCE_PROVIDER``, ``OCF_EXIT_REASON_PREFIX``,
  ``OCF_OUTPUT_FORMAT=text``, one ``OCF_RESKEY_<name>`` per instance attribute (the op
  attribute ``OCF_CHECK_LEVEL`` keeps its own name), ``OCF_RESKEY_crm_feature_set`` and the
  ``OCF_RESKEY_CRM_meta_*`` meta attributes (``timeout`` in ms, ``interval`` only for a
  recurring operation, ``on_node``, ``on_node_uuid``, then the request's other meta);
* ``lsb`` and ``heartbeat``: nothing from the resource (their agents take no parameters
  that way); ``heartbeat`` scripts also get heartbeat's own ``HA_DIR``, ``HA_FUNCS``,
  ``HA_RESOURCEDIR`` and ``HA_CURHOST``, as heartbeat's ResourceManager exported them.

Every class also gets ``PYCRM_MAIN_PID_PREFIX`` (see docs/daemon.md, "Service-level
watching"): an agent that knows its service's main process prints
``ocf-main-pid:<pid>`` on stderr after a successful start or monitor.
"""

from __future__ import annotations

from collections.abc import Mapping

from pycrm.daemon.executor.request import OpRequest

BASE_ENV: Mapping[str, str] = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "LANG": "C",
    "LC_ALL": "C",
}
EXIT_REASON_PREFIX = "ocf-exit-reason:"
MAIN_PID_PREFIX = "ocf-main-pid:"
MAIN_PID_VARIABLE = "PYCRM_MAIN_PID_PREFIX"
OCF_RA_VERSION = ("1", "1")
CHECK_LEVEL = "OCF_CHECK_LEVEL"


def base_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The clean starting point of every agent call (``extra`` adds or overrides)."""
    env = dict(BASE_ENV)
    if extra:
        env.update(extra)
    env[MAIN_PID_VARIABLE] = MAIN_PID_PREFIX
    return env


def meta_environment(req: OpRequest) -> dict[str, str]:
    """``OCF_RESKEY_CRM_meta_*`` for ``req``, in the order Pacemaker lists them."""
    meta = {
        "on_node": req.node,
        "on_node_uuid": req.node_uuid or req.node,
        "timeout": str(req.timeout_ms),
    }
    if req.interval_ms > 0:
        meta["interval"] = str(req.interval_ms)
    if req.start_delay_ms > 0:
        meta["start_delay"] = str(req.start_delay_ms)
    for name, value in req.meta.items():
        meta.setdefault(name, value)
    return {f"OCF_RESKEY_CRM_meta_{name}": value for name, value in meta.items()}


def ocf_environment(
    req: OpRequest, ocf_root: str, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``base``: the result of :func:`base_environment` (default: the plain one)."""
    env = dict(base) if base is not None else base_environment()
    for name, value in req.params.items():
        env[name if name == CHECK_LEVEL else f"OCF_RESKEY_{name}"] = value
    env["OCF_RESKEY_crm_feature_set"] = req.feature_set
    env.update(meta_environment(req))
    env["OCF_RA_VERSION_MAJOR"], env["OCF_RA_VERSION_MINOR"] = OCF_RA_VERSION
    env["OCF_ROOT"] = ocf_root
    env["OCF_EXIT_REASON_PREFIX"] = EXIT_REASON_PREFIX
    env["OCF_OUTPUT_FORMAT"] = "text"
    env["OCF_RESOURCE_INSTANCE"] = req.rsc_id
    env["OCF_RESOURCE_TYPE"] = req.agent
    if req.provider is not None:
        env["OCF_RESOURCE_PROVIDER"] = req.provider
    return env


def heartbeat_environment(
    req: OpRequest, ha_dir: str, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = dict(base) if base is not None else base_environment()
    env["HA_DIR"] = ha_dir
    env["HA_FUNCS"] = f"{ha_dir}/shellfuncs"
    env["HA_RESOURCEDIR"] = f"{ha_dir}/resource.d"
    env["HA_CURHOST"] = req.node
    return env
