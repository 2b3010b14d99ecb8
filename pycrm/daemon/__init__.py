"""`pycrm run`: the standalone cluster resource manager daemon (see docs/daemon.md)."""
