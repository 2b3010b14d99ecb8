"""pycrm: a lightweight, Pacemaker-compatible cluster resource manager."""

__version__ = "0.1.0"
