"""A stand-in Docker Engine API over HTTPS on loopback, for fence-agents' fence_docker.

``python -m tests.support.fake_docker CERT KEY NAME...`` binds 127.0.0.1 on a free port,
prints it, and serves the calls fence_docker makes (API version 1.11): the container list,
one container's state, kill and start.  Every NAME is a running container (id ``id-NAME``).
"""

from __future__ import annotations

import json
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CONTAINERS: dict[str, bool] = {}  # name -> running


def _name(ref: str) -> str | None:
    ref = ref.removeprefix("id-")
    return ref if ref in CONTAINERS else None


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def _reply(self, code: int, body: object | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts[1:] == ["containers", "json"]:
            self._reply(200, [
                {"Id": f"id-{n}", "Names": [f"/{n}"],
                 "Status": "Up 5 minutes" if up else "Exited (137) 1 second ago"}
                for n, up in sorted(CONTAINERS.items())
            ])  # fmt: skip
            return
        if len(parts) == 4 and parts[1] == "containers" and parts[3] == "json":
            name = _name(parts[2])
            if name is None:
                self._reply(404, {"message": "no such container"})
            else:
                self._reply(200, {"State": {"Running": CONTAINERS[name]}})
            return
        self._reply(404)

    def do_POST(self) -> None:
        parts = self.path.split("?")[0].strip("/").split("/")
        name = _name(parts[2]) if len(parts) == 4 else None
        if name is None or parts[3] not in ("kill", "start", "restart"):
            self._reply(404)
            return
        CONTAINERS[name] = parts[3] != "kill"
        self._reply(204)


def main() -> int:
    cert, key, *names = sys.argv[1:]
    CONTAINERS.update(dict.fromkeys(names, True))
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
