"""Heartbeat v1 membership: node table, timers, sequence tracking, rexmit, events.

`MembershipEngine` is a state machine without I/O: the daemon feeds it
decoded messages and the clock, and drains the messages to send and the
events to log. That keeps every timing rule unit-testable with a fake clock.
"""

from heartbeat_compat.membership.engine import MembershipEngine
from heartbeat_compat.membership.events import Event
from heartbeat_compat.membership.fields import Fields
from heartbeat_compat.membership.timing import Timing, TimingError

__all__ = ["Event", "Fields", "MembershipEngine", "Timing", "TimingError"]
