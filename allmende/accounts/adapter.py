from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.models import Group
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import roles


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_taken": _("This username is already taken."),
    }

    def save_user(self, request, user, form, commit=True):
        language = translation.get_language() or ""
        if language in dict(settings.LANGUAGES):
            user.language = language  # mails follow the language the person signed up in
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _created = Group.objects.get_or_create(name=roles.RESIDENT)
            user.groups.add(group)
        return user
