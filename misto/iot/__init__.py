"""IoT platform: device registry, MQTT / HTTP / LoRaWAN ingestion, time series, rules, NGSI-LD.

Other modules talk to it through its events (``misto.iot.events``: ``iot.ReadingOutOfRange``,
``iot.DeviceOffline``, ``iot.ContainerFull``, ``iot.DeviceRegistryChanged``). Public functions
other modules may call: none; the readings are public through ``/api/iot/`` and NGSI-LD.
"""
