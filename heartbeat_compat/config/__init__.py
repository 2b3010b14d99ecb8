"""Parsers for a Heartbeat v1 configuration directory (/etc/ha.d).

* `hacf.load_hacf(path)` -> `HaCf`              (ha.cf)
* `authkeys.load_authkeys(path)` -> `AuthKeys`  (authkeys)
* `haresources.read_haresources(path, ...)`     (haresources)

Every parser reproduces heartbeat 3.0.6's lexical rules and fatal checks
(`heartbeat/config.c`, `heartbeat/auth.c`, `ResourceManager`) and reports a
bad file as a `HaConfigError` naming file, line and directive.
"""

from heartbeat_compat.config.errors import HaConfigError

__all__ = ["HaConfigError"]
