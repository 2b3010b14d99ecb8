"""The fence agent base class: one dispatcher for pycrm's fence agents.

A subclass declares its options (:data:`COMMON_OPTIONS` plus its own) and implements three
hooks: :meth:`FenceAgent.outlets` (``list``), :meth:`FenceAgent.power_status` (``"on"`` /
``"off"``) and :meth:`FenceAgent.set_power`.  :meth:`FenceAgent.main` does the rest the
way fence-agents 4.12's ``fence_action`` does, so that Pacemaker and admins see the same
behaviour as with any packaged agent:

* actions ``on``, ``off``, ``reboot`` (the default), ``status``, ``list``, ``list-status``,
  ``monitor``, ``metadata`` (also ``meta-data``), ``validate-all``;
* ``on``/``off``: the current state first (``Success: Already OFF``), then switch every
  plug (``plug`` may list several, separated by ``plug_separator``), wait ``power_wait``,
  then read the state every ``stonith_status_sleep`` seconds until it is the one asked for
  (``Success: Powered OFF``) or ``power_timeout`` passed (``Failed: Timed out waiting to
  power OFF``); ``on`` is tried ``1 + retry_on`` times.  ``disable_timeout`` (default when
  ``PCMK_service=pacemaker-fenced``, as Pacemaker sets it) waits without a time limit: the
  fencer's own timeout applies;
* ``reboot``: off (unless already off) then on; a failed ``on`` is logged, the reboot still
  succeeds (the node was fenced) -- ``Success: Rebooted``;
* ``status``: ``Status: ON`` (exit 0) or ``Status: OFF`` (exit 2);
* ``list``: ``<plug><separator><alias>`` per plug; ``list-status`` adds ``ON``/``OFF``;
  ``monitor`` lists the plugs without printing them (it checks the device answers);
* ``delay`` seconds are waited before ``off`` and ``reboot`` (two-node fence races);
* exit status 0 on success, 1 on any failure (with the reason on stderr), 2 for a status
  that is OFF.
"""

from __future__ import annotations

import os
import sys
import time

from ocf.fence.options import Option, OptionTable, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import ClassVar, TextIO

VERSION = "4.12.1"  # the fence-agents release whose conventions these agents follow

EC_OK = 0
EC_GENERIC_ERROR = 1
EC_STATUS_OFF = 2

# fence-agents' failure messages (fencing.py fail()); every one exits 1.
EC_TIMED_OUT = "Connection timed out"
EC_WAITING_ON = "Failed: Timed out waiting to power ON"
EC_WAITING_OFF = "Failed: Timed out waiting to power OFF"
EC_STATUS = "Failed: Unable to obtain correct plug status or plug is not available"

ALL_ACTIONS = (
    *("on", "off", "reboot", "status", "list", "list-status"),
    *("monitor", "metadata", "validate-all"),
)
POWER_ACTIONS = ("on", "off", "reboot", "status")

COMMON_OPTIONS = (
    Option(
        "action", "-o, --action=[action]", "Fencing action", short="o", long="action",
        kind="string", default="reboot", required=True,
    ),
    Option(
        "port", "-n, --plug=[id]", "Physical plug number on device, UUID or identification "
        "of machine", short="n", long="plug", kind="string", required=True, alias="plug",
    ),
    Option(
        "quiet", "-q, --quiet", "Disable logging to stderr. Does not affect --verbose or "
        "--debug-file or logging to syslog.", short="q", long="quiet", order=50,
    ),
    Option(
        "verbose", "-v, --verbose", "Verbose mode. Multiple -v flags can be stacked on the "
        "command line (e.g., -vvv) to increase verbosity.", short="v", long="verbose",
        order=51,
    ),
    Option(
        "verbose_level", "--verbose-level", "Level of debugging detail in output. Defaults "
        "to the number of --verbose flags specified on the command line, or to 1 if "
        "verbose=1 in a stonith device configuration (i.e., on stdin).",
        long="verbose-level", kind="integer", order=52,
    ),
    Option(
        "debug", "-D, --debug-file=[debugfile]", "Write debug information to given file",
        short="D", long="debug-file", kind="string", alias="debug_file", order=53,
    ),
    Option(
        "version", "-V, --version", "Display version information and exit", short="V",
        long="version", order=54,
    ),
    Option("help", "-h, --help", "Display help and exit", short="h", long="help", order=55),
    Option(
        "separator", "-C, --separator=[char]", "Separator for CSV created by 'list' "
        "operation", short="C", long="separator", kind="string", default=",", order=100,
    ),
    Option(
        "plug_separator", "--plug-separator=[char]", "Separator for plug parameter when "
        "specifying more than 1 plug", long="plug-separator", kind="string", default=",",
        order=100,
    ),
    Option(
        "delay", "--delay=[seconds]", "Wait X seconds before fencing is started",
        long="delay", kind="second", default="0", order=200,
    ),
    Option(
        "disable_timeout", "--disable-timeout=[true/false]", "Disable timeout (true/false) "
        "(default: true when run from Pacemaker 2.0+)", long="disable-timeout",
        kind="string", order=200,
    ),
    Option(
        "power_timeout", "--power-timeout=[seconds]", "Test X seconds for status change "
        "after ON/OFF", long="power-timeout", kind="second", default="20", order=200,
    ),
    Option(
        "power_wait", "--power-wait=[seconds]", "Wait X seconds after issuing ON/OFF",
        long="power-wait", kind="second", default="0", order=200,
    ),
    Option(
        "stonith_status_sleep", "--stonith-status-sleep=[seconds]", "Sleep X seconds "
        "between status calls during a STONITH action", long="stonith-status-sleep",
        kind="second", default="1", order=200,
    ),
    Option(
        "retry_on", "--retry-on=[attempts]", "Count of attempts to retry power on",
        long="retry-on", kind="integer", default="1", order=201,
    ),
)  # fmt: skip


class FenceFailure(Exception):
    """Leave with exit status 1 and this message (a fence-agents failure text)."""


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace('"', "&quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("'", "&apos;")
    )


class FenceAgent:
    """Subclass: set the class attributes, implement the three hooks."""

    name: ClassVar[str]
    shortdesc: ClassVar[str]
    longdesc: ClassVar[str]
    vendor_url: ClassVar[str]
    table: ClassVar[OptionTable]

    def __init__(self) -> None:
        self.opts: dict[str, str] = {}
        self.out: TextIO = sys.stdout
        self.err: TextIO = sys.stderr
        self.started = time.monotonic()

    # ------------------------------------------------------------------ hooks
    def outlets(self) -> dict[str, tuple[str, str | None]]:
        """Every plug: plug -> (alias, "on"/"off"/None).  Raise FenceFailure when the
        device cannot be read."""
        raise NotImplementedError

    def power_status(self, plug: str) -> str | None:
        """``"on"`` or ``"off"``; None when the plug's state cannot be known."""
        raise NotImplementedError

    def set_power(self, plug: str, action: str) -> None:
        """Switch ``plug`` ``"on"`` or ``"off"``; raise FenceFailure on an error."""
        raise NotImplementedError

    def check(self) -> None:
        """Agent-specific checks of the options (raise UsageError)."""

    # ------------------------------------------------------------------ entry
    def main(
        self,
        argv: Sequence[str] | None = None,
        stdin: TextIO | None = None,
        env: Mapping[str, str] | None = None,
    ) -> int:
        argv = sys.argv if argv is None else argv
        env = os.environ if env is None else env
        try:
            if len(argv) > 1:
                given, warnings = self.table.parse_argv(argv[1:])
            else:
                given, warnings = self.table.parse_stdin((stdin or sys.stdin).read())
            self.opts = self.table.complete(given)
            for text in warnings:
                self.log("WARNING", text)
            return self._run(env)
        except UsageError as exc:
            self.log("ERROR", str(exc))
            self.log("ERROR", "Please use '-h' for usage")
            return EC_GENERIC_ERROR
        except FenceFailure as exc:
            self.log("ERROR", str(exc))
            return EC_GENERIC_ERROR

    def _run(self, env: Mapping[str, str]) -> int:
        opts = self.opts
        action = opts["action"].lower()
        if action == "meta-data":
            action = "metadata"
        opts["action"] = action
        if "help" in opts:
            self.out.write(self.usage())
            return EC_OK
        if action == "metadata":
            self.out.write(self.metadata())
            return EC_OK
        if "version" in opts:
            self.out.write(VERSION + "\n")
            return EC_OK
        if action not in ALL_ACTIONS:
            raise UsageError(f"Failed: Unrecognised action '{action}'")
        if "disable_timeout" not in opts and env.get("PCMK_service") == "pacemaker-fenced":
            opts["disable_timeout"] = "1"
        if opts.get("disable_timeout", "").lower() in ("1", "yes", "on", "true"):
            opts["power_timeout"] = "0"
        self.check()
        if action in POWER_ACTIONS and not opts.get("port"):
            raise UsageError("Failed: You have to enter plug number or machine identification")
        if action == "validate-all":
            return EC_OK
        return self.fence_action(action)

    # ---------------------------------------------------------------- actions
    def plugs(self) -> list[str]:
        return self.opts["port"].split(self.opts["plug_separator"] or ",")

    def fence_action(self, action: str) -> int:
        if action in ("list", "list-status", "monitor"):
            sep = self.opts["separator"]
            for plug, (alias, state) in self.outlets().items():
                if action == "list":
                    self.out.write(f"{plug}{sep}{alias}\n")
                elif action == "list-status":
                    known = state if state is not None else self.power_status(plug)
                    shown = known.upper() if known in ("on", "off") else "UNKNOWN"
                    self.out.write(f"{plug}{sep}{alias}{sep}{shown}\n")
            return EC_OK
        if action in ("off", "reboot"):
            self.delay()
        status = self.multi_status()
        if action == "status":
            self.out.write(f"Status: {status.upper()}\n")
            return EC_STATUS_OFF if status == "off" else EC_OK
        if action == status:
            self.out.write(f"Success: Already {status.upper()}\n")
            return EC_OK
        if action == "on":
            if not self.switch("on", 1 + int(self.opts["retry_on"])):
                raise FenceFailure(EC_WAITING_ON)
            self.out.write("Success: Powered ON\n")
        elif action == "off":
            if not self.switch("off", 1):
                raise FenceFailure(EC_WAITING_OFF)
            self.out.write("Success: Powered OFF\n")
        else:  # reboot
            if status != "off" and not self.switch("off", 1):
                raise FenceFailure(EC_WAITING_OFF)
            try:
                powered_on = self.switch("on", int(self.opts["retry_on"]))
            except FenceFailure as exc:
                self.log("WARNING", str(exc))
                powered_on = False
            if not powered_on:
                # the node was fenced all the same
                self.log("ERROR", "Timed out waiting to power ON")
            self.out.write("Success: Rebooted\n")
        return EC_OK

    def multi_status(self) -> str:
        """ "on" when at least one plug is on (fence-agents' get_multi_power_fn)."""
        status = "off"
        for plug in self.plugs():
            state = self.power_status(plug)
            if state not in ("on", "off"):
                raise FenceFailure(EC_STATUS)
            if state == "on":
                status = "on"
        return status

    def switch(self, target: str, attempts: int) -> bool:
        """Switch every plug to ``target`` and wait until they all report it."""
        timeout = int(self.opts["power_timeout"])
        for _ in range(max(attempts, 0)):
            for plug in self.plugs():
                self.set_power(plug, target)
                time.sleep(int(self.opts["power_wait"]))
            deadline = time.monotonic() + timeout
            while True:
                if self.multi_status() == target:
                    return True
                if timeout > 0 and time.monotonic() >= deadline:
                    break
                time.sleep(int(self.opts["stonith_status_sleep"]))
        return False

    def delay(self) -> None:
        left = int(self.opts["delay"]) - (time.monotonic() - self.started)
        if left > 0:
            self.log("INFO", f"Delay {int(left)} second(s) before fencing is started")
            time.sleep(left)

    # --------------------------------------------------------------- messages
    def log(self, level: str, text: str) -> None:
        opts = self.opts
        verbose = "verbose" in opts or opts.get("verbose_level", "0") not in ("", "0")
        if level in ("DEBUG", "INFO") and not verbose:
            return
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        line = f"{stamp} {level}: {text}\n"
        if "quiet" not in opts:
            self.err.write(line)
        debug = opts.get("debug")
        if debug:
            try:
                with open(debug, "a", encoding="utf-8") as fh:
                    fh.write(line)
            except OSError:
                pass

    def usage(self) -> str:
        lines = ["Usage:", f"\t{self.name} [options]", "Options:"]
        for opt in sorted(self.table.options, key=lambda o: o.order):
            lines.append(f"   {opt.mixed:<30} {opt.help}")
        return "\n".join(lines) + "\n"

    def metadata(self) -> str:
        """fence-agents' meta-data XML (valid against its metadata.rng)."""
        entries: list[tuple[int, str, Option, str]] = []
        for opt in self.table.options:
            if opt.alias:
                entries.append((opt.order, opt.name, opt, ' deprecated="1"'))
                entries.append((opt.order, opt.alias, opt, f' obsoletes="{opt.name}"'))
            else:
                entries.append((opt.order, opt.name, opt, ""))
        out = [
            '<?xml version="1.0" ?>',
            f'<resource-agent name="{self.name}" shortdesc="{_escape(self.shortdesc)}" >',
            f"<longdesc>{_escape(self.longdesc)}</longdesc>",
            f"<vendor-url>{_escape(self.vendor_url)}</vendor-url>",
            "<parameters>",
        ]
        for _order, name, opt, extra in sorted(entries, key=lambda e: (e[0], e[1])):
            required = "1" if opt.required else "0"
            default = "" if opt.default is None else f'default="{_escape(opt.default)}" '
            out += [
                f'\t<parameter name="{name}" unique="0" required="{required}"{extra}>',
                f'\t\t<getopt mixed="{_escape(opt.mixed)}" />',
                f'\t\t<content type="{opt.kind}" {default} />',
                f'\t\t<shortdesc lang="en">{_escape(opt.shortdesc)}</shortdesc>',
                "\t</parameter>",
            ]
        out += ["</parameters>", "<actions>", '\t<action name="on" automatic="0"/>']
        out += [f'\t<action name="{a}" />' for a in ALL_ACTIONS if a != "on"]
        out += ["</actions>", "</resource-agent>"]
        return "\n".join(out) + "\n"
