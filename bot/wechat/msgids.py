"""kf `msgid`s that are unique per kf account for real, not only within one database.

WeChat refuses a repeated msgid with an error, so a msgid derived only from local ids (which
start again after a database reset, and repeat across a staging and a production install) would
collide. Each database draws a random salt once and every msgid hashes it with the local key:
the same key gives the same msgid on every retry, and nothing else ever does.
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy.exc import IntegrityError

from bot.db import Database
from bot.models import SharedValue

SALT_KEY = "kf_msgid_salt"
MSGID_LENGTH = 32  # kf/send_msg: at most 32 characters of [0-9a-zA-Z_-]


def msgid_salt(db: Database) -> str:
    """This database's salt, drawn by whichever process asks first."""
    with db.session() as session:
        row = session.get(SharedValue, SALT_KEY)
        if row is not None:
            return row.value
    try:
        with db.session() as session:
            session.add(SharedValue(key=SALT_KEY, value=secrets.token_hex(16)))
    except IntegrityError:  # another process drew one first: use theirs
        pass
    with db.session() as session:
        row = session.get(SharedValue, SALT_KEY)
        assert row is not None
        return row.value


def kf_msgid(salt: str, key: str) -> str:
    """The msgid for local `key` (a delivery's idempotency key, a reply's callback)."""
    return "sy" + hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()[:MSGID_LENGTH - 2]
