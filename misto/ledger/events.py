"""What the ledger publishes: ``ledger.TreeHeadIssued`` after every signed tree head.

The ledger's reactions to other modules' events (writing them into the log) live in
``misto.ledger.handlers``; this file is the module's published contract only.
"""

from __future__ import annotations

from dataclasses import dataclass

from misto.core.events import DomainEvent


@dataclass(frozen=True)
class TreeHeadIssued(DomainEvent):
    tree_size: int
    timestamp: int
    sha256_root_hash: str
    key_id: str
