"""Oracle process: real cluster-glue (libplumb) parses and re-encodes packets.

Run by test_cluster_glue.py as a child process (the C library is kept out of the
test process). Protocol, one JSON object per line:

    request  {"data": "<hex>", "struct": "<field name>" | null}
    response {"parsed": bool, "netstring": "<hex>" | null, "classic": "<hex>" | null,
              "struct_classic": "<hex>" | null}

`netstring` is msg2netstring_noauth() of the parsed message, `classic` msg2string(),
`struct_classic` msg2string() of cl_get_struct(msg, struct) (which inflates a
compressed field through the zlib/bz2 plugin).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import sys

PILS = "/usr/lib/libpils.so.2"
PLUMB = "/usr/lib/libplumb.so.2"


def main() -> None:
    ctypes.CDLL(PILS, mode=ctypes.RTLD_GLOBAL)  # the compress plugins need its symbols
    lib = ctypes.CDLL(PLUMB, mode=ctypes.RTLD_GLOBAL)
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    vp, size_t = ctypes.c_void_p, ctypes.c_size_t
    lib.wirefmt2msg.restype = vp
    lib.wirefmt2msg.argtypes = [ctypes.c_char_p, size_t, ctypes.c_int]
    lib.msg2netstring_noauth.restype = vp
    lib.msg2netstring_noauth.argtypes = [vp, ctypes.POINTER(size_t)]
    lib.msg2string.restype = vp
    lib.msg2string.argtypes = [vp]
    lib.cl_get_struct.restype = vp
    lib.cl_get_struct.argtypes = [vp, ctypes.c_char_p]
    lib.ha_msg_del.argtypes = [vp]
    libc.free.argtypes = [vp]

    def take(ptr: int | None, length: int | None = None) -> str | None:
        if not ptr:
            return None
        raw = ctypes.string_at(ptr, length) if length is not None else ctypes.string_at(ptr)
        libc.free(ptr)
        return raw.hex()

    for line in sys.stdin:
        req = json.loads(line)
        data = bytes.fromhex(req["data"])
        msg = lib.wirefmt2msg(data, len(data), 0)
        resp: dict[str, object] = {"parsed": bool(msg)}
        if msg:
            n = size_t()
            ptr = lib.msg2netstring_noauth(msg, ctypes.byref(n))
            resp["netstring"] = take(ptr, n.value)
            resp["classic"] = take(lib.msg2string(msg))
            if req.get("struct"):
                sub = lib.cl_get_struct(msg, req["struct"].encode())
                resp["struct_classic"] = take(lib.msg2string(sub)) if sub else None
            lib.ha_msg_del(msg)
        sys.stdout.write(json.dumps(resp) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
