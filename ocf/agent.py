"""The agent base class: one dispatcher for every pycrm OCF agent.

An agent declares its parameters and actions once, as class attributes, and
implements one method per action. `Agent.main()` does the rest: meta-data,
usage, parameter parsing and typing, OCF_CHECK_LEVEL fallback, probe
detection, the deadline, exit reasons and logging.
"""

from __future__ import annotations

import os
import sys
import time

from ocf import metadata
from ocf.env import OcfEnv, effective_level
from ocf.log import AgentLog
from ocf.params import Param, Values, is_true
from ocf.rc import RC, OCFError

TYPE_CHECKING = False  # `typing` costs ~10 ms of start-up; only mypy needs it here
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from typing import ClassVar

    Handler = Callable[[], RC | None]


# Actions every agent answers without touching its resource.
_INFO_ACTIONS = ("meta-data", "usage", "help", "methods")


class Agent:
    """Subclass, fill in the class attributes and implement the action methods.

    Action methods take no arguments and return an RC or None (= SUCCESS), or
    raise OCFError. `validate-all` maps to `validate_all`, `status` to
    `monitor`, `migrate_to`/`migrate_from` to `migrate_to`/`migrate_from`.
    """

    name: ClassVar[str]
    version: ClassVar[str] = "1.0"
    shortdesc: ClassVar[str]
    longdesc: ClassVar[str]
    params: ClassVar[tuple[Param, ...]]
    actions: ClassVar[tuple[metadata.ActionSpec, ...]]
    # OCF_CHECK_LEVEL depths the monitor implements; requests fall back to
    # the deepest supported level not above the request.
    check_levels: ClassVar[tuple[int, ...]] = (0,)

    def __init__(self, env: OcfEnv, values: Values, log: AgentLog) -> None:
        self.env = env
        self.p = values
        self.log = log
        self.check_level = effective_level(env.check_level, self.check_levels)

    # ----------------------------------------------------------- overridable
    def check_config(self) -> None:
        """Cheap checks of parameter values, run before every action.

        Raise OCFError(ERR_CONFIGURED) for values that are wrong everywhere.
        Must not look at the host: probes call it on nodes without the software.
        """

    def validate_all(self) -> RC | None:
        """The validate-all action: parameters and this host's prerequisites."""
        return None

    # --------------------------------------------------------------- plumbing
    @classmethod
    def metadata_xml(cls) -> str:
        return metadata.render(
            name=cls.name,
            version=cls.version,
            shortdesc=cls.shortdesc,
            longdesc=cls.longdesc,
            params=cls.params,
            actions=cls.actions,
        )

    @classmethod
    def action_names(cls) -> list[str]:
        return [a.name for a in cls.actions]

    def handler(self, action: str) -> Handler | None:
        if action == "status":
            action = "monitor"
        if action not in self.action_names() and action != "monitor":
            return None
        method = getattr(self, action.replace("-", "_"), None)
        return method if callable(method) else None

    @classmethod
    def main(
        cls, argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
    ) -> int:
        argv = list(sys.argv if argv is None else argv)
        environ = os.environ if environ is None else environ
        if len(argv) < 2:
            print(cls._usage(), file=sys.stderr)
            return RC.ERR_ARGS
        action = argv[1]
        if action in _INFO_ACTIONS:
            return cls._info(action)
        env = OcfEnv.from_environ(action, environ, cls.name)
        trace = is_true(environ.get("OCF_TRACE_RA", "")) or is_true(
            environ.get("OCF_RESKEY_trace_ra", "")
        )
        log = AgentLog(env.type, env.instance, environ, trace=trace)
        if trace:
            log.trace_file = _open_trace(env, environ)
        log.quiet_errors = env.is_probe
        return cls._run(env, log)

    @classmethod
    def _run(cls, env: OcfEnv, log: AgentLog) -> int:
        prefix = env.environ.get("OCF_EXIT_REASON_PREFIX", "ocf-exit-reason:")
        log.debug(
            f"{env.action} begins (interval {env.interval_ms} ms, timeout {env.timeout_ms} ms)"
        )
        try:
            values = Values(cls.params, env.environ)
            agent = cls(env, values, log)
            handler = agent.handler(env.action)
            if handler is None:
                log.debug(f"action {env.action} is not implemented")
                return RC.ERR_UNIMPLEMENTED
            if env.check_level != agent.check_level:
                log.debug(
                    f"OCF_CHECK_LEVEL={env.check_level} is not implemented;"
                    f" using level {agent.check_level}"
                )
            for name in values.unsupported_given():
                log.warning(f"parameter {name} is accepted for compatibility but not used")
            missing = values.missing_required()
            if missing:
                raise OCFError(
                    RC.ERR_CONFIGURED, f"required parameter {', '.join(missing)} is not set"
                )
            agent.check_config()
            rc = handler()
            rc = RC.SUCCESS if rc is None else RC(rc)
        except OCFError as exc:
            rc = exc.rc
            if exc.reason:
                print(f"{prefix}{exc.reason}", file=sys.stderr, flush=True)
                if rc in (RC.SUCCESS, RC.NOT_RUNNING):
                    log.info(exc.reason)
                else:
                    log.error(exc.reason)
        except Exception as exc:  # an agent bug must still give Pacemaker an OCF code
            import traceback

            rc = RC.ERR_GENERIC
            reason = f"internal error: {type(exc).__name__}: {exc}"
            print(f"{prefix}{reason}", file=sys.stderr, flush=True)
            log.error(reason)
            for line in traceback.format_exc().splitlines():
                log.debug(line)
        log.debug(f"{env.action} returns {int(rc)} ({rc.name})")
        return int(rc)

    @classmethod
    def _info(cls, action: str) -> int:
        if action == "meta-data":
            sys.stdout.write(cls.metadata_xml())
        elif action == "methods":
            print("\n".join(cls.action_names()))
        else:
            print(cls._usage())
        return RC.SUCCESS

    @classmethod
    def _usage(cls) -> str:
        return f"usage: {cls.name} {{{'|'.join(cls.action_names())}}}"


def _open_trace(env: OcfEnv, environ: Mapping[str, str]) -> str | None:
    """Create this call's trace file like ocf-shellfuncs: <dir>/<rsc>.<action>.<time>."""
    varlib = environ.get("HA_VARLIB", "/var/lib/heartbeat")
    directory = environ.get("OCF_RESKEY_trace_dir") or os.path.join(varlib, "trace_ra", env.type)
    stamp = time.strftime("%Y-%m-%d.%H:%M:%S")
    path = os.path.join(directory, f"{env.instance}.{env.action}.{stamp}")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return None
    env_lines = [f"{k}={v}" for k, v in sorted(environ.items()) if k.startswith(("OCF_", "HA_"))]
    os.write(fd, ("\n".join(env_lines) + "\n").encode("utf-8", "replace"))
    os.close(fd)
    return path
