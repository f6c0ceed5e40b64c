"""Sign-in backends: Django's and allauth's, with the person of a session looked up by a query that is
compiled once per process. Every signed-in request asks for its person; compiling that lookup anew cost
more CPU than running it (allmende/ops/precompiled.py)."""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import backends

from allmende.ops.precompiled import ANY_ID, Precompiled

from .models import User

_PERSON = Precompiled(lambda pk: User._default_manager.filter(pk=pk), ANY_ID)
_ROLE_SEPARATOR = "\n"


def _person_with_roles(pk):
    from django.contrib.auth.models import Group
    from django.db.models import OuterRef, StringAgg, Subquery, Value

    names = (
        Group.objects.filter(user=OuterRef("pk"))
        .values("user")
        .annotate(names=StringAgg("name", Value(_ROLE_SEPARATOR)))
        .values("names")
    )
    return User._default_manager.filter(pk=pk).annotate(allmende_role_list=Subquery(names))


# The person of a session with their roles (group names) in the same query: most signed-in pages ask
# for the roles (accounts.roles.role_names), which took a query of its own.
_SESSION_PERSON = Precompiled(_person_with_roles, ANY_ID)


def person(pk) -> User | None:
    """The person with this id (a session's, a proposal's author), or None."""
    found = _PERSON.objects(pk)
    return found[0] if found else None


class _PersonLookup:
    def get_user(self, user_id):
        found = _SESSION_PERSON.objects(user_id)
        if not found or not self.user_can_authenticate(found[0]):
            return None
        user = found[0]
        roles = user.allmende_role_list
        user._allmende_roles = frozenset(roles.split(_ROLE_SEPARATOR)) if roles else frozenset()
        return user


class ModelBackend(_PersonLookup, backends.ModelBackend):
    """Username and password (the admin's sign-in, and sessions made outside allauth)."""


class AuthenticationBackend(_PersonLookup, AllauthBackend):
    """allauth's sign-in by e-mail address or username."""
