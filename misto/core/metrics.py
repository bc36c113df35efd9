"""Prometheus metrics of the platform, exported at ``/metrics``."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "misto_http_requests_total", "HTTP requests served", ["method", "status"]
)
REQUEST_SECONDS = Histogram("misto_http_request_seconds", "HTTP request duration", ["method"])
EVENTS_DELIVERED = Counter(
    "misto_events_delivered_total", "Domain events delivered to a handler", ["handler"]
)
EVENTS_FAILED = Counter(
    "misto_events_failed_total", "Failed deliveries that will be retried", ["handler"]
)
EVENTS_DEAD = Counter("misto_events_dead_total", "Deliveries moved to dead letters", ["handler"])


class RequestMetricsMiddleware:
    """Counts requests by method and status class, and times them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(request.method).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, f"{response.status_code // 100}xx").inc()
        return response


class OutboxCollector(Collector):
    """Pending and dead deliveries, read from the table at scrape time.

    Counters above are per process; the queue is shared by all of them, so its depth is
    measured where it lives.
    """

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Lets the registry learn the metric's name without a query at import time.
        yield GaugeMetricFamily("misto_event_deliveries", "Event deliveries by status",
                                labels=["status"])

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from misto.core.services import delivery_summary

        try:
            summary = delivery_summary()
        except Exception:  # the database is down: /readyz says so; export nothing
            return
        gauge = GaugeMetricFamily(
            "misto_event_deliveries", "Event deliveries by status", labels=["status"]
        )
        gauge.add_metric(["pending"], summary.pending)
        gauge.add_metric(["dead"], summary.dead)
        yield gauge


REGISTRY.register(OutboxCollector())
