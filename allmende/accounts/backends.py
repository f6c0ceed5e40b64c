"""Sign-in backends: Django's and allauth's, with the person of a session looked up by a query that is
compiled once per process. Every signed-in request asks for its person; compiling that lookup anew cost
more CPU than running it (allmende/ops/precompiled.py). Where the session's person was kept with the
session and nothing about them changed since, not even that lookup runs (accounts.sessions)."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import backends

from allmende.ops.precompiled import ANY_ID, Precompiled

from . import roles, sessions
from .models import User

_PERSON = Precompiled(lambda pk: User._default_manager.filter(pk=pk), ANY_ID)
# The person of a session with their roles in the same query: most signed-in pages ask for the roles
# (roles.role_names), which took a query of their own.
_SESSION_PERSON = Precompiled(lambda pk: roles.with_role_names(User._default_manager.filter(pk=pk)), ANY_ID)


def person(pk) -> User | None:
    """The person with this id (a session's, a proposal's author), or None."""
    found = _PERSON.objects(pk)
    return found[0] if found else None


class _PersonLookup:
    def get_user(self, user_id):
        return sessions.session_person(user_id, self._load)

    def _load(self, user_id):
        found = _SESSION_PERSON.objects(user_id)
        if not found or not self.user_can_authenticate(found[0]):
            return None
        roles.remember_role_names(found[0])
        return found[0]


class ModelBackend(_PersonLookup, backends.ModelBackend):
    """Username and password (the admin's sign-in, and sessions made outside allauth)."""


class AuthenticationBackend(_PersonLookup, AllauthBackend):
    """allauth's sign-in by e-mail address or username."""
