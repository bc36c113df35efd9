"""Polls and public consultations (hearings) with secret ballots anyone can recount.

A **poll** asks one question (single or multiple choice, optional free text) of the residents
its eligibility rule admits (``misto.residents.civic.Rule``: the register, age, district,
verification). Each eligible person receives one blind-signed token per poll (RFC 9474,
``misto.core.ballots``; the database refuses a second) and casts a ballot with it that names
no one; every ballot is in the public ledger (``consultations.ballot``), so
``misto consultations recount <poll>`` and anyone with the published keys recount it.

A **hearing** is a topic with documents, a comment period for verified residents, moderation
that hides a comment with a cited rule and keeps the original, and the organiser's report; a
binding or advisory poll may close it. docs/consultations.md.
"""
