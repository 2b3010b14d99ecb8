"""Apache httpd support for the ocf:pycrm:apache agent.

- `envfiles`: read shell-style environment files without running a shell;
- `conf`: the few facts the agent needs from an httpd configuration;
- `urls`: status/test URLs and the local base URL;
- `client`: a raw-socket HTTP GET with a deadline (no http.client/urllib);
- `procs`: httpd process identity and discovery from /proc;
- `testconf`: the resource-agents `testconffile` format;
- `control`: configtest, launch, signals (the only user of subprocess);
- `lifecycle`: start and stop within the deadline;
- `instance`: one resource's binary, config facts, pid file and identity;
- `check`: what a passing HTTP check is.
"""
