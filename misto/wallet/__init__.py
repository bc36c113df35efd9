"""The city wallet: one account per resident, top-ups, fares with capping, passes, tickets.

Money is integer kopiyky everywhere (never floats). Every movement is one ``Transfer`` of
two or more ``Posting`` rows whose amounts sum to zero (double entry); balances are the sum
of an account's postings, never a stored number, and postings are never changed or deleted.
A resident's account may go below zero only for fares, and only down to its ride-on-credit
limit. Benefits and their validity come from the residents register
(``misto.residents.benefits_on``), never from papers shown. Ride tokens are Ed25519-signed,
so a validator checks them offline with the public key; the server charges each tap once
(by tap id) and each token once (replay protection) when the validator uploads.

No other module imports this one; it publishes the events in ``events.py``.
``misto wallet check`` recomputes every balance from the postings.
"""
