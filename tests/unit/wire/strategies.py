"""Hypothesis strategies for wire messages."""

from __future__ import annotations

from hypothesis import strategies as st

from heartbeat_compat.wire import FieldType, Message
from heartbeat_compat.wire.message import Field

_RESERVED = ("auth", "_compressed_payload", "_compression_algorithm")

# Text that both encodings carry: no NUL, no 0x13, no other control characters except
# LF (which classic turns into 0x13), TAB and CR.
_safe_char = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")) | st.sampled_from(
    "\n\t\r"
)
_name_char = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="=")

names = st.text(_name_char, min_size=1, max_size=12).filter(
    lambda n: not n.startswith(("(", ">>>")) and n not in _RESERVED and len(n.encode()) <= 256
)
safe_text = st.text(_safe_char, min_size=1, max_size=24)
list_items = st.lists(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8),
    min_size=1,
    max_size=4,
)


def lists_ok(msg: Message) -> bool:
    """heartbeat merges a list into an earlier field of its name: generate none of those."""
    seen: set[str] = set()
    for f in msg.fields:
        if f.type is FieldType.LIST and f.name in seen:
            return False
        seen.add(f.name)
        if isinstance(f.value, Message) and not lists_ok(f.value):
            return False
    return True


def _leaf(value_st: st.SearchStrategy[Field]) -> st.SearchStrategy[Message]:
    return st.lists(value_st, min_size=1, max_size=6).map(Message).filter(lists_ok)


def _fields(children: st.SearchStrategy[Message]) -> st.SearchStrategy[Field]:
    return st.one_of(
        st.builds(Field.make, names, safe_text),
        st.builds(Field.make, names, st.binary(min_size=1, max_size=24)),
        st.builds(Field.make, names, list_items),
        st.builds(Field.make, names, children),
    )


_base_fields = st.one_of(
    st.builds(Field.make, names, safe_text),
    st.builds(Field.make, names, st.binary(min_size=1, max_size=24)),
    st.builds(Field.make, names, list_items),
)

# Messages every encoding can carry (nested structs a few levels deep).
messages = st.recursive(
    _leaf(_base_fields),
    lambda children: (
        st.lists(_fields(children), min_size=1, max_size=6).map(Message).filter(lists_ok)
    ),
    max_leaves=12,
)


@st.composite
def messages_with_compression(draw: st.DrawFn) -> Message:
    msg = draw(messages)
    child = draw(messages)
    msg.add(draw(names), child, FieldType.COMPRESS)
    msg.add("_compression_algorithm", draw(st.sampled_from(["zlib", "bz2"])))
    return msg


# Netstring-only content: any bytes in strings (even empty, NUL, 0x13), UNCOMPRESS.
_raw_text = st.binary(max_size=24).map(lambda b: b.decode("utf-8", "surrogateescape"))
netstring_messages = st.lists(
    st.one_of(
        st.builds(Field.make, names, _raw_text),
        st.builds(Field.make, names, st.binary(max_size=24)),
        st.builds(
            Field.make, names, messages, st.sampled_from([FieldType.STRUCT, FieldType.UNCOMPRESS])
        ),
    ),
    min_size=1,
    max_size=8,
).map(Message)
