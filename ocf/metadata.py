"""Meta-data XML generated from the declared parameters and actions.

The output keeps to resource-agents' ra-api-1.dtd (what ocf-tester validates
against) while claiming OCF 1.1, which that subset is compatible with.
"""

from __future__ import annotations

from ocf.params import Param

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

# Start-up cost matters (agents are exec'd for every monitor): xml.sax.saxutils
# imports urllib/http/email (~30 ms) and dataclasses imports inspect (~8 ms).


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(text: str) -> str:
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    return '"' + text.replace('"', "&quot;") + '"'


# Action names the DTD allows; anything else would fail ocf-tester.
DTD_ACTIONS = frozenset(
    {
        *("start", "stop", "recover", "monitor", "restart", "migrate_to", "migrate_from"),
        *("promote", "demote", "notify", "status", "reload", "meta-data", "usage"),
        *("methods", "validate-all"),
    }
)


class ActionSpec:
    """An advertised action with its default timeout (and interval/depth/role)."""

    __slots__ = ("depth", "interval", "name", "role", "timeout")

    def __init__(
        self,
        name: str,
        timeout: str,
        interval: str | None = None,
        depth: str | None = None,
        role: str | None = None,
    ) -> None:
        self.name = name
        self.timeout = timeout
        self.interval = interval
        self.depth = depth
        self.role = role

    def _key(self) -> tuple[str, str, str | None, str | None, str | None]:
        return (self.name, self.timeout, self.interval, self.depth, self.role)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ActionSpec) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "ActionSpec(%r, %r, interval=%r, depth=%r, role=%r)" % self._key()  # noqa: UP031


def _param_xml(p: Param) -> str:
    longdesc = p.longdesc
    if not p.supported:
        longdesc += (
            " Accepted for compatibility with the resource-agents agent of the same name;"
            " this agent does not use it and logs a warning when it is set."
        )
    default = f" default={quoteattr(p.default)}" if p.default is not None else ""
    return (
        f'<parameter name="{p.name}" unique="{int(p.unique)}" required="{int(p.required)}">\n'
        f'<longdesc lang="en">\n{escape(longdesc)}\n</longdesc>\n'
        f'<shortdesc lang="en">{escape(p.shortdesc)}</shortdesc>\n'
        f'<content type="{p.type}"{default} />\n'
        "</parameter>\n"
    )


def _action_xml(a: ActionSpec) -> str:
    if a.name not in DTD_ACTIONS:
        raise ValueError(f"action {a.name!r} is not allowed by ra-api-1.dtd")
    attrs = [f'name="{a.name}"', f'timeout="{a.timeout}"']
    for key, value in (("interval", a.interval), ("depth", a.depth), ("role", a.role)):
        if value is not None:
            attrs.append(f"{key}={quoteattr(value)}")
    return f"<action {' '.join(attrs)} />\n"


def render(
    *,
    name: str,
    version: str,
    shortdesc: str,
    longdesc: str,
    params: Sequence[Param],
    actions: Sequence[ActionSpec],
) -> str:
    """The complete meta-data document, DOCTYPE line included."""
    return (
        '<?xml version="1.0"?>\n'
        '<!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">\n'
        f'<resource-agent name="{name}" version="{version}">\n'
        "<version>1.1</version>\n\n"
        f'<longdesc lang="en">\n{escape(longdesc)}\n</longdesc>\n'
        f'<shortdesc lang="en">{escape(shortdesc)}</shortdesc>\n\n'
        "<parameters>\n"
        + "".join(_param_xml(p) for p in params)
        + "</parameters>\n\n<actions>\n"
        + "".join(_action_xml(a) for a in actions)
        + "</actions>\n</resource-agent>\n"
    )
