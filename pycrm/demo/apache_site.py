"""A self-contained apache2 site: one directory holds its config, pid file, logs and pages.

Nothing under /etc/apache2 is read except the module binaries and /etc/mime.types, so any
number of sites can run side by side (in network namespaces, for the demo and the tests).
The directory is world readable: apache's workers run as www-data, and ocf-tester runs the
agents' meta-data as nobody.
"""

from __future__ import annotations

import contextlib
import os
import pwd
from pathlib import Path

HTTPD = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
MIME_TYPES = "/etc/mime.types"
STATUS_LOCATION = "/server-status"

_MODULES = ("mpm_event", "authz_core", "authz_host", "status", "dir", "mime")


def _run_user() -> str:
    for name in ("www-data", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    return "nobody"


def write_apache_config(
    directory: str | Path,
    listen: str = "127.0.0.1:8089",
    docroot: str | Path | None = None,
    *,
    pidfile: bool = True,
    status_location: str | None = STATUS_LOCATION,
    status_require: str = "ip 127.0.0.1 ::1",
    server_name: str = "localhost",
    extra: str = "",
    config_name: str = "httpd.conf",
) -> Path:
    """Write a complete apache2 config rooted in `directory`; return its path.

    `listen` is the Listen argument (`addr:port`, `[v6]:port` or a port).
    With `pidfile=False` the config has no PidFile directive (the agent then
    passes `-c "PidFile ..."` like the shell agent). `status_location=None`
    leaves mod_status unmapped. `extra` is appended verbatim (e.g. a broken
    directive for error tests). Creates run/, logs/ and the document root
    (with an index.html) if missing.
    """
    root = Path(directory)
    (root / "run").mkdir(parents=True, exist_ok=True)
    (root / "logs").mkdir(exist_ok=True)
    htdocs = Path(docroot) if docroot is not None else root / "htdocs"
    htdocs.mkdir(parents=True, exist_ok=True)
    index = htdocs / "index.html"
    if not index.exists():
        index.write_text("<html><body>pycrm test page</body></html>\n")
    for path in (root, htdocs):
        os.chmod(path, 0o755)  # noqa: S103 - apache's workers (www-data) read the site
    os.chmod(index, 0o644)
    user = _run_user()
    lines = [
        f"ServerRoot {root}",
        f"ServerName {server_name}",
        f"Listen {listen}",
        *([f"PidFile {root}/run/httpd.pid"] if pidfile else []),
        f"DefaultRuntimeDir {root}/run",
        *(f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in _MODULES),
        f"TypesConfig {MIME_TYPES}",
        f"User {user}",
        f"Group {'nogroup' if user == 'nobody' else user}",
        f"ErrorLog {root}/logs/error.log",
        "LogLevel warn",
        # Short timeouts so graceful stops never wait on a lingering client.
        "KeepAlive Off",
        "Timeout 5",
        f"DocumentRoot {htdocs}",
        f"<Directory {htdocs}>",
        "  Require all granted",
        "</Directory>",
        "DirectoryIndex index.html",
        "ExtendedStatus On",
    ]
    if status_location is not None:
        lines += [
            f"<Location {status_location}>",
            "  SetHandler server-status",
            f"  Require {status_require}",
            "</Location>",
        ]
    if extra:
        lines.append(extra)
    path = root / config_name
    path.write_text("\n".join(lines) + "\n")
    os.chmod(path, 0o644)
    return path
