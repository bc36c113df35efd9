"""Prometheus metrics of the platform, exported at ``/metrics``."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

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
