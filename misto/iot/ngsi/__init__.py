"""NGSI-LD (ETSI GS CIM 009) subset at /ngsi-ld/v1/, with FIWARE Smart Data Models types.

Each public device is one entity ``urn:ngsi-ld:<Type>:<device id>``; its latest values are
Properties named after the quantities (``pm25``, ``LAeq``, ``fillingLevel``...), with
``observedAt`` and ``unitCode``; ``location`` is a GeoProperty. Supported: ``GET entities``
(``type``, ``id``, ``idPattern``, ``q``, ``attrs``, ``georel=near;maxDistance==..`` /
``minDistance``, ``geometry=Point``, ``coordinates``, ``limit``, ``offset``, ``count``,
``options=keyValues``), ``GET entities/<id>``, ``GET temporal/entities/<id>`` (``timerel``,
``timeAt``, ``endTimeAt``, ``attrs``, ``lastN``, ``options=temporalValues``). Errors are
ProblemDetails JSON with the spec's error types.
"""
