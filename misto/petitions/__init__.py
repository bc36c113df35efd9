"""E-petitions (Law of Ukraine "On Citizens' Appeals", Art. 23-1).

A verified resident drafts a petition; a moderator opens it or rejects it citing a published
rule; eligible residents sign in one click (one person, one signature, enforced by the
database), and every signature, withdrawal and annulment is a ledger entry under a per-petition
pseudonym, so anyone can recount. A petition that reaches its threshold gets a public clock
of working days (``misto.core.workdays``) for the official answer; an overdue answer is an
incident for the situational centre. No other module imports this one; it publishes the
events in ``events.py``.
"""
