"""Apache httpd support for the ocf:pycrm:apache agent.

- `envfiles`: read shell-style environment files without running a shell;
- `conf`: the few facts the agent needs from an httpd configuration;
- `urls`: status/test URLs and the local base URL;
- `client`: a raw-socket HTTP GET with a deadline (no http.client/urllib);
- `procs`: httpd process identity, discovery and signalling;
- `testconf`: the resource-agents `testconffile` format;
- `control`: configtest, launch and stop (the only users of subprocess).
"""
