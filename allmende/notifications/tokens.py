"""Signed one-click unsubscribe tokens: user id + kind, no login needed, no expiry.

A token only ever switches one kind of e-mail off for one person, so it may live as long as the mail
that carries it. Tampering or a changed SECRET_KEY makes it invalid.
"""

from django.core import signing

from .models import KINDS

SALT = "allmende.notifications.unsubscribe"


def make_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=SALT, compress=False)


def read_token(token: str) -> tuple[int, str] | None:
    """The (user id, kind) a token stands for, or None if it was tampered with or is malformed."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, kind = data.get("u"), data.get("k")
    if not isinstance(user_id, int) or kind not in KINDS:
        return None
    return user_id, kind
