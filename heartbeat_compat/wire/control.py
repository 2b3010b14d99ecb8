"""Builders for heartbeat's cluster messages, in the exact field order 3.0.6 uses.

Reference §7-§8. A builder returns the message-specific fields; `add_control_fields`
then appends the default block (`ha_msg_internal.c:add_control_msg_fields`):
`[destuuid] src srcuuid [seq] hg ts [ld] ttl` — `seq` and `ld` are left out of `NS_*`
messages. `auth` is added by `encode`. Numbers are formatted as heartbeat does:
`seq`, `hg`, `ts`, `dt`, `ackseq` and NAK `firstseq` lowercase hex without `0x`;
`ttl` and the `NS_rexmit` range decimal.
"""

from __future__ import annotations

from collections.abc import Sequence

from .message import FieldType, Message

NS_PREFIX = "NS_"


def _hex(value: int) -> str:
    if value < 0:
        raise ValueError(f"negative counter {value}")
    return f"{value:x}"


def add_control_fields(
    msg: Message,
    *,
    src: str,
    hg: int,
    ts: int,
    ttl: int,
    srcuuid: bytes | None = None,
    seq: int | None = None,
    ld: str | None = None,
    destuuid: bytes | None = None,
) -> Message:
    """Append heartbeat's default fields to `msg` (in place; also returned).

    Non-`NS_` messages replace existing defaults (`ha_msg_mod`); `NS_*` messages keep
    ones already present and get neither `seq` nor `ld`.
    """
    is_ns = (msg.get_str("t") or "").startswith(NS_PREFIX)
    put = msg.setdefault if is_ns else msg.set
    if destuuid is not None and "dest" in msg:
        msg.set("destuuid", destuuid, FieldType.BINARY)
    put("src", src)
    if srcuuid is not None:
        put("srcuuid", srcuuid, FieldType.BINARY)
    if seq is not None and not is_ns:
        put("seq", _hex(seq))
    put("hg", _hex(hg))
    put("ts", _hex(ts))
    if ld is not None and not is_ns:
        put("ld", ld)
    put("ttl", str(ttl))
    return msg


def status(st: str, *, deadtime_ms: int | None = None, protocol: bool = True) -> Message:
    """`t=status st=<st> [dt=<hex ms>] [protocol=1]` (vectors 01, 02, 22, 24)."""
    msg = Message.of(t="status", st=st)
    if deadtime_ms is not None:
        msg.add("dt", _hex(deadtime_ms))
    if protocol:
        msg.add("protocol", "1")
    return msg


def ackmsg(dest: str, ackseq: int) -> Message:
    return Message.of(t="NS_ackmsg", dest=dest, ackseq=_hex(ackseq))


def rexmit(dest: str, firstseq: int, lastseq: int) -> Message:
    """Retransmission request; the range is DECIMAL (vector 23)."""
    return Message.of(t="NS_rexmit", dest=dest, firstseq=str(firstseq), lastseq=str(lastseq))


def nak_rexmit(firstseq: int, dest: str, info: str) -> Message:
    """The packet cannot be retransmitted; `firstseq` is HEX here."""
    return Message.of(t="NS_nak_rexmit", firstseq=_hex(firstseq), dest=dest, info=info)


def reqnodes(dest: str) -> Message:
    return Message.of(t="reqnodes", dest=dest)


def _node_list(nodes: Sequence[str]) -> str:
    return "".join(f"{n} " for n in nodes) or " "


def repnodes(dest: str, nodelist: Sequence[str], delnodelist: Sequence[str] = ()) -> Message:
    """Answer to reqnodes: note `dest` comes before `t` (vector 05)."""
    return Message.of(
        dest=dest, t="repnodes", nodelist=_node_list(nodelist), delnodelist=_node_list(delnodelist)
    )


def starting() -> Message:
    return Message.of(t="starting")


def resource(
    rsc_hold: str,
    *,
    isstable: bool | None = None,
    rtype: str | None = "full",
    info: str | None = None,
) -> Message:
    """`t=resource rsc_hold rtype isstable [info]`; FIFO-originated ones omit rtype/isstable."""
    msg = Message.of(t="resource", rsc_hold=rsc_hold)
    if rtype is not None:
        msg.add("rtype", rtype)
    if isstable is not None:
        msg.add("isstable", "1" if isstable else "0")
    if info is not None:
        msg.add("info", info)
    return msg


def ask_resources(rsc_hold: str, info: str) -> Message:
    return Message.of(t="ask_resources", rsc_hold=rsc_hold, info=info)


def hb_takeover(rsc_hold: str) -> Message:
    return Message.of(t="hb_takeover", rsc_hold=rsc_hold)


def ip_request(ipaddr: str) -> Message:
    return Message.of(t="ip-request", ipaddr=ipaddr)


def ip_request_resp(dest: str, ipaddr: str, weown: str, ok: str = "OK") -> Message:
    return Message.of(t="ip-request-resp", dest=dest, ipaddr=ipaddr, weown=weown, ok=ok)


def shutdone() -> Message:
    return Message.of(t="shutdone", st="dead")


def stonith(node: str, result: str) -> Message:
    return Message.of(t="stonith", node=node, result=result)


def query_cstatus(dest: str, cn: str, from_id: str) -> Message:
    return Message.of(t="query-cstatus", dest=dest, cn=cn, from_id=from_id)


def respond_cstatus(dest: str, result: str, cn: str, to_id: str, cs: str) -> Message:
    return Message.of(t="respond-cstatus", dest=dest, result=result, cn=cn, to_id=to_id, cs=cs)
