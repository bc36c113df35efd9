"""The situational centre: incidents from every module's events, live map, dispatch, KPIs.

Incidents are built only from domain events (``reports.*``, ``iot.*``,
``notifications.OutageAnnounced``); see ``misto.situation.events``. It publishes
``situation.IncidentResolved`` (reports resolves the linked reports and tells the reporter),
``situation.IncidentAssigned``, ``situation.EmergencyDeclared`` and
``situation.EmergencyEnded``.

Public functions other modules may call: none yet; talk to it through events.
"""
