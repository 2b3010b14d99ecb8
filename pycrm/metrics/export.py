"""The Prometheus side of the daemon's metrics (imported only when ``[metrics] port`` is
set: prometheus-client costs the daemon's start-up tens of milliseconds).

`Exporter.render` answers a scrape in the format the scraper asks for (``Accept``; the text
format by default) from one registry whose only collector computes, at most once per
`MIN_INTERVAL`, the cluster's families from the live CIB and the node's snapshot through
`pycrm.status.collect` -- the view ``pycrm status`` shows -- plus pycrm's own counters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry

from pycrm.metrics.cluster import corosync_families, pacemaker_families, scrape_success
from pycrm.metrics.failover import DaemonCounters
from pycrm.metrics.model import Scrape
from pycrm.status.collect import collect

MIN_INTERVAL = 1.0  # seconds between two computations of the families
log = logging.getLogger(__name__)


class Exporter(Collector):
    def __init__(
        self,
        scrape: Callable[[], Scrape],
        counters: DaemonCounters,
        clock: Callable[[], float],
    ) -> None:
        self.scrape = scrape
        self.counters = counters
        self.clock = clock
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(self)
        self._cached: tuple[float, list[Metric]] | None = None

    def collect(self) -> Iterable[Metric]:
        now = self.clock()
        if self._cached is not None and now - self._cached[0] < MIN_INTERVAL:
            return self._cached[1]
        out = families(self.scrape(), self.counters)
        self._cached = (now, out)
        return out

    def render(self, accept: str) -> tuple[bytes, str]:
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


def families(state: Scrape, counters: DaemonCounters) -> list[Metric]:
    """Every family of one scrape."""
    try:
        status = collect(state.cib, state.snapshot)
        pacemaker = pacemaker_families(status, state.cib)
        ok = True
    except Exception:  # one bad CIB must not take the endpoint down
        log.exception("metrics: cannot collect the cluster's status")
        pacemaker, ok = [], False
    return [
        *pacemaker,
        scrape_success("pacemaker", ok),
        *corosync_families(state.cib, state.membership),
        scrape_success("corosync", True),
        *pycrm_families(counters),
    ]


def pycrm_families(counters: DaemonCounters) -> list[Metric]:
    """pycrm's own counters (see `pycrm.metrics.failover`)."""
    tracker = counters.failovers
    out: list[Metric] = [
        _counter(
            "pycrm_failovers",
            "Unplanned recoveries completed by this node as DC, by the cause detected first",
            "cause",
            tracker.counts,
        ),
        _counter(
            "pycrm_fence_actions",
            "Fencing actions this node carried out, by result",
            "result",
            counters.fences,
        ),
        _counter(
            "pycrm_monitor_failures",
            "Recurring monitors on this node that returned a failure, by resource",
            "resource",
            dict(sorted(counters.monitor_failures.items())),
        ),
    ]
    last = tracker.last
    if last is not None:
        duration = "From the detection of the failure to the end of the transition that"
        out += [
            GaugeMetricFamily(
                "pycrm_last_failover_duration_seconds",
                f"{duration} recovered it, for the last failover this node counted",
                last.duration,
            ),
            GaugeMetricFamily(
                "pycrm_last_failover_timestamp_seconds",
                "When the last failover this node counted completed (epoch seconds)",
                last.recovered_wall,
            ),
        ]
    return out


def _counter(name: str, text: str, label: str, counts: dict[str, int]) -> CounterMetricFamily:
    family = CounterMetricFamily(name, text, labels=[label])
    for value, count in counts.items():
        family.add_metric([value], count)
    return family
