"""The ordered message model and the control-field builders."""

from __future__ import annotations

import pytest

from heartbeat_compat.wire import Field, FieldType, Message, control


def test_order_duplicates_and_first_match_lookup() -> None:
    msg = Message.of(t="status", st="up")
    msg.add("st", "active")
    assert msg.keys() == ["t", "st", "st"]
    assert msg["st"] == "up"
    assert msg.get_all("st") == ["up", "active"]
    assert len(msg) == 3
    assert list(msg) == ["t", "st", "st"]
    msg.set("st", "dead")  # ha_msg_mod: first one replaced in place
    assert msg.items() == [("t", "status"), ("st", "dead"), ("st", "active")]
    msg.set("new", "x")  # absent: appended
    assert msg.keys()[-1] == "new"
    msg.setdefault("t", "other").setdefault("z", "1")
    assert msg["t"] == "status"
    assert msg["z"] == "1"
    msg.remove("st")
    assert "st" not in msg
    with pytest.raises(KeyError):
        _ = msg["st"]
    assert msg.get("st") is None
    assert msg.get("st", "dflt") == "dflt"


def test_types_are_inferred_and_checked() -> None:
    sub = Message.of(a="1")
    msg = Message.of(s="x", b=b"\x01", st=sub, l=["a", "b"])
    assert [f.type for f in msg.fields] == [
        FieldType.STRING,
        FieldType.BINARY,
        FieldType.STRUCT,
        FieldType.LIST,
    ]
    assert msg.get_list("l") == ("a", "b")  # stored immutably
    assert msg.get_message("st") is sub
    assert msg.get_bytes("b") == b"\x01"
    assert msg.get_str("b") is None  # wrong type -> None
    assert msg.get_bytes("s") is None
    msg.add("c", sub, FieldType.COMPRESS)
    assert msg.field("c") == Field("c", sub, FieldType.COMPRESS)
    with pytest.raises(TypeError):
        msg.add("bad", "text", FieldType.BINARY)
    with pytest.raises(TypeError):
        msg.add("bad", b"raw", FieldType.STRUCT)
    with pytest.raises(TypeError):
        msg.add("bad", [1, 2], FieldType.LIST)  # type: ignore[list-item]


def test_equality_copy_and_pairs() -> None:
    a = Message.from_pairs([("t", "x"), ("u", b"\x00")])
    b = a.copy()
    assert a == b
    b.add("v", "1")
    assert a != b
    assert a.pairs() == [("t", "x"), ("u", b"\x00")]
    assert (a == "not a message") is False
    assert "u=" in repr(a)
    assert "(1)u=" in repr(a)


def test_control_fields_for_ordinary_messages() -> None:
    msg = control.resource("none", isstable=False)
    control.add_control_fields(
        msg, src="n1", srcuuid=b"u" * 16, seq=26, hg=0x6B02, ts=0x6B03, ld="0.1", ttl=3
    )
    assert msg.keys() == [
        "t", "rsc_hold", "rtype", "isstable",
        "src", "srcuuid", "seq", "hg", "ts", "ld", "ttl",
    ]  # fmt: skip
    assert msg["seq"] == "1a"  # hex, no 0x
    assert msg["hg"] == "6b02"
    assert msg["ttl"] == "3"
    # again (a retransmission): values replaced in place, order kept
    control.add_control_fields(msg, src="n1", seq=27, hg=1, ts=2, ttl=3)
    assert msg["seq"] == "1b"
    assert msg.keys().count("seq") == 1


def test_control_fields_for_ns_messages() -> None:
    msg = control.ackmsg("n2", 0x2A)
    assert msg.items() == [("t", "NS_ackmsg"), ("dest", "n2"), ("ackseq", "2a")]
    control.add_control_fields(
        msg, src="n1", srcuuid=b"u" * 16, destuuid=b"d" * 16, seq=5, hg=1, ts=2, ld="x", ttl=3
    )
    assert msg.keys() == ["t", "dest", "ackseq", "destuuid", "src", "srcuuid", "hg", "ts", "ttl"]
    msg.set("ts", "ff")
    control.add_control_fields(msg, src="other", hg=9, ts=9, ttl=3)
    assert msg["ts"] == "ff"  # NS_ keeps defaults already present
    assert msg["src"] == "n1"


def test_builders() -> None:
    assert control.status("init", deadtime_ms=12000).items() == [
        ("t", "status"), ("st", "init"), ("dt", "2ee0"), ("protocol", "1"),
    ]  # fmt: skip
    assert control.status("up", protocol=False).keys() == ["t", "st"]
    assert control.rexmit("n2", 110, 110)["firstseq"] == "110"  # decimal
    assert control.nak_rexmit(110, "n2", "seqno too low")["firstseq"] == "6e"  # hex
    rep = control.repnodes("n1", ["n1", "n2"])
    assert rep.items() == [
        ("dest", "n1"), ("t", "repnodes"), ("nodelist", "n1 n2 "), ("delnodelist", " "),
    ]  # fmt: skip
    assert control.resource("foreign", rtype=None, info="mach_down").keys() == [
        "t", "rsc_hold", "info",
    ]  # fmt: skip
    assert control.shutdone().items() == [("t", "shutdone"), ("st", "dead")]
    assert control.ip_request_resp("a", "10.0.0.1", "yes")["ok"] == "OK"
    assert control.stonith("n2", "unneeded")["result"] == "unneeded"
    assert control.reqnodes("n2")["dest"] == "n2"
    assert control.starting()["t"] == "starting"
    assert control.ask_resources("all", "me")["info"] == "me"
    assert control.hb_takeover("all")["rsc_hold"] == "all"
    assert control.ip_request("10.0.0.1")["ipaddr"] == "10.0.0.1"
    assert control.query_cstatus("n2", "ipfail", "12")["from_id"] == "12"
    assert control.respond_cstatus("n1", "OK", "ipfail", "12", "offline")["cs"] == "offline"
    with pytest.raises(ValueError):
        control.ackmsg("n2", -1)
