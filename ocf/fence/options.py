"""Fence agent options: the declared table, command-line flags and ``key=value`` stdin.

Facts from fence-agents 4.12 (``lib/fencing.py``), which is what Pacemaker's fencer and
admins expect of any fence agent:

* with at least one command-line argument, options are flags (``-o off``, ``--action=off``,
  ``-n plug``, ``-vv``); with none, they are read from stdin, one ``name=value`` per line
  (blank lines and ``#`` comments skipped, a value in double quotes unquoted).  A stdin name
  is the option's name or its long flag, ``-`` and ``_`` interchangeable (``plug``,
  ``port``, ``power_timeout``, ``power-timeout``);
* an unknown stdin name is reported (``Parse error: Ignoring unknown option 'line'``) and
  skipped; ``nodename`` (Pacemaker always passes it) is skipped silently when the agent does
  not use it;
* a boolean given on stdin is ``1/yes/on/true`` or ``0/no/off/false``; anything else is
  reported and ignored;
* an option of type ``second`` or ``integer`` must be an integer.

Everything returned maps an option's name to a string; a boolean that is set is ``"1"``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

TRUE_WORDS = ("1", "yes", "on", "true")
FALSE_WORDS = ("0", "no", "off", "false")
SILENTLY_IGNORED = ("nodename",)


class UsageError(Exception):
    """Bad options: the message is what fence-agents prints before "Please use '-h'"."""


class Option:
    """One declared option.

    ``mixed`` is the flags part of the help text (``-o, --action=[action]``), ``help`` the
    sentence after it; ``alias`` is the name that obsoletes ``name`` in the meta-data
    (fence-agents lists ``port`` as deprecated and ``plug`` as its replacement).
    """

    __slots__ = (
        *("alias", "default", "help", "kind", "long", "mixed", "name", "order"),
        *("required", "short", "shortdesc", "takes_value"),
    )

    def __init__(
        self,
        name: str,
        mixed: str,
        help: str,
        *,
        short: str = "",
        long: str = "",
        kind: str = "boolean",
        default: str | None = None,
        required: bool = False,
        shortdesc: str | None = None,
        alias: str | None = None,
        order: int = 1,
    ) -> None:
        self.name = name
        self.mixed = mixed
        self.help = help
        self.short = short
        self.long = long
        self.kind = kind  # boolean | string | second | integer
        self.takes_value = kind != "boolean"
        self.default = default
        self.required = required
        self.shortdesc = help if shortdesc is None else shortdesc
        self.alias = alias
        self.order = order


class OptionTable:
    """The options an agent accepts, with lookups by flag and by stdin name."""

    def __init__(self, options: Iterable[Option]) -> None:
        self.options = tuple(options)
        self.by_name = {o.name: o for o in self.options}
        self.by_flag: dict[str, Option] = {}
        self.by_key: dict[str, Option] = {}
        for opt in self.options:
            if opt.short:
                self.by_flag["-" + opt.short] = opt
            if opt.long:
                self.by_flag["--" + opt.long] = opt
            for key in (opt.name, opt.long, opt.alias):
                if key:
                    self.by_key[key.replace("-", "_")] = opt

    # ------------------------------------------------------------ command line
    def parse_argv(self, argv: Sequence[str]) -> tuple[dict[str, str], list[str]]:
        """Flags -> (options, warnings); UsageError for an unknown flag or a missing value."""
        out: dict[str, str] = {}
        warnings: list[str] = []
        verbose = 0
        rest: list[str] = []
        i = 0
        while i < len(argv):
            arg = argv[i]
            i += 1
            if arg == "--":
                rest.extend(argv[i:])
                break
            if arg.startswith("--"):
                flag, eq, value = arg.partition("=")
                opt = self.by_flag.get(flag)
                if opt is None:
                    raise UsageError(f"Parse error: option {flag} not recognized")
                if opt.takes_value and not eq:
                    if i >= len(argv):
                        raise UsageError(f"Parse error: option {flag} requires argument")
                    value = argv[i]
                    i += 1
                elif not opt.takes_value and eq:
                    raise UsageError(f"Parse error: option {flag} must not have an argument")
                verbose += opt.name == "verbose"
                out[opt.name] = value if opt.takes_value else "1"
            elif arg.startswith("-") and len(arg) > 1:
                pos = 1
                while pos < len(arg):
                    opt = self.by_flag.get("-" + arg[pos])
                    if opt is None:
                        raise UsageError(f"Parse error: option -{arg[pos]} not recognized")
                    pos += 1
                    if not opt.takes_value:
                        verbose += opt.name == "verbose"
                        out[opt.name] = "1"
                        continue
                    if pos < len(arg):
                        out[opt.name] = arg[pos:]
                    elif i < len(argv):
                        out[opt.name] = argv[i]
                        i += 1
                    else:
                        raise UsageError(f"Parse error: option -{opt.short} requires argument")
                    break
            else:
                rest.append(arg)
        if rest:
            warnings.append(f"Unused arguments on command line: {rest}")
        if verbose and "verbose_level" in self.by_name:
            out.setdefault("verbose_level", str(verbose))
        return out, warnings

    # ------------------------------------------------------------------ stdin
    def parse_stdin(self, text: str) -> tuple[dict[str, str], list[str]]:
        """``key=value`` lines -> (options, warnings)."""
        out: dict[str, str] = {}
        warnings: list[str] = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            name, _, value = line.partition("=")
            if len(value) >= 2 and value[0] == '"' and value[-1] == '"':
                value = value[1:-1]
            opt = self.by_key.get(name.replace("-", "_"))
            if opt is None:
                if name not in SILENTLY_IGNORED:
                    warnings.append(f"Parse error: Ignoring unknown option '{line}'")
                continue
            if opt.takes_value:
                out[opt.name] = value
            elif value.lower() in TRUE_WORDS:
                out[opt.name] = "1"
            elif value.lower() in FALSE_WORDS:
                out.pop(opt.name, None)
            else:
                warnings.append(
                    f"Parse error: Ignoring option '{name}' because it does not have value"
                )
        return out, warnings

    # --------------------------------------------------------------- checking
    def complete(self, given: dict[str, str]) -> dict[str, str]:
        """``given`` plus the defaults; UsageError for a non-integer number."""
        out = {o.name: o.default for o in self.options if o.default is not None}
        out.update(given)
        for opt in self.options:
            if opt.kind in ("second", "integer") and opt.name in given:
                try:
                    int(given[opt.name])
                except ValueError:
                    what = "time in seconds" if opt.kind == "second" else "integer"
                    raise UsageError(
                        f"Failed: The value you have entered for --{opt.long} is not a valid {what}"
                    ) from None
        return out
