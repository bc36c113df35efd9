"""Notifications: topics x districts subscriptions, announcements and outages, inbox, channels.

Residents subscribe to topics (housing and utilities, education, traffic...) for districts,
their home building or a drawn area; staff announce to the whole city, districts, an area or a
list of buildings; one announcement fans out set-based (``INSERT ... SELECT``) into one inbox
row per matching resident, then to e-mail, Web Push and the SMS/Telegram/Viber gateways.

This module exports no public function to other modules: it listens to their events
(``reports.ReportStatusChanged``, ``iot.ReadingOutOfRange``, ``situation.EmergencyDeclared``
and ``situation.EmergencyEnded``) and publishes its own
(``notifications.OutageAnnounced``, ``notifications.AnnouncementPublished``), see
docs/events.md and docs/notifications.md.
"""
