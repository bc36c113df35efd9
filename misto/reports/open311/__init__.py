"""Open311 GeoReport v2 at ``/open311/v2/`` (docs/reports.md lists what it speaks).

A separate audience from the site and the JSON API: third-party apps, authenticated by an
API key (``misto open311 create-key <name>``) when they post, answered in JSON or XML and,
on bad input, in the spec's error format.
"""
