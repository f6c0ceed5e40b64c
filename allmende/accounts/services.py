"""Changes of state for accounts: one function per action, one transaction each."""

from collections.abc import Callable

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from .models import User

# Other apps add a function user -> (section name, JSON-serialisable data) for the data download,
# in their AppConfig.ready(), so the download always holds everything the platform keeps on a person.
DATA_EXPORTERS: list[Callable[[User], tuple[str, object]]] = []


def register_data_exporter(exporter: Callable[[User], tuple[str, object]]) -> None:
    if exporter not in DATA_EXPORTERS:
        DATA_EXPORTERS.append(exporter)


def export_data(user: User) -> dict:
    """Everything the platform stores about `user`, for DSGVO Art. 15 (access) and Art. 20 (portability)."""
    data = {
        "format": "allmende-account-export/1",
        "exported_at": timezone.now().isoformat(),
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "accepted_rules_at": user.accepted_rules_at.isoformat() if user.accepted_rules_at else None,
            "roles": sorted(group.name for group in user.groups.all()),
            "faction": user.faction.name if user.faction_id else None,
            "language": user.language or None,
        },
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
    }
    for exporter in DATA_EXPORTERS:
        name, section = exporter(user)
        data[name] = section
    return data


@transaction.atomic
def set_language(user: User, language: str) -> None:
    """Remember the language the person chose on the site; their mails are written in it."""
    User.objects.filter(pk=user.pk).update(language=language)


def change_username(user: User, username: str) -> User:
    user.username = username
    user.full_clean(exclude=["password"])
    user.save(update_fields=["username"])
    return user


@transaction.atomic
def delete_account(user: User) -> None:
    """Erase the account and its e-mail addresses.

    Contributions reference the user with SET_NULL and stay visible as "deleted account";
    data that only makes sense with the person (sessions, e-mail addresses) goes with it.
    """
    User.objects.filter(pk=user.pk).delete()
