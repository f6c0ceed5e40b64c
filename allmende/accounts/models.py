from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

public_name_validator = RegexValidator(
    r"^[\w][\w.\-]*\Z",
    _(
        "Use letters, digits, dots, hyphens and underscores only, starting with a letter or digit "
        "(no e-mail addresses, no spaces)."
    ),
)


class User(AbstractUser):
    """An account. The username is the person's only public identity; the e-mail is never shown.

    A deleted account is removed entirely: contributions point to it with SET_NULL and are
    shown as "deleted account".
    """

    username = models.CharField(
        _("username"),
        max_length=40,
        unique=True,
        validators=[public_name_validator],
        help_text=_("Shown publicly with your contributions. Please do not use your real name."),
        error_messages={"unique": _("This username is already taken.")},
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    accepted_rules_at = models.DateTimeField(_("accepted the dialogue rules at"), null=True, blank=True)
    faction = models.ForeignKey(
        "accountability.Faction",
        verbose_name=_("faction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
        help_text=_("For council members: the faction they belong to."),
    )

    # The language the person last chose on the site (or signed up in); their mails are written in it.
    language = models.CharField(
        _("language for e-mails"), max_length=10, blank=True, choices=settings.LANGUAGES, default=""
    )
    blocked_at = models.DateTimeField(_("blocked since"), null=True, blank=True)
    blocked_reason = models.CharField(_("reason for the block"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_ci_unique"
            ),
        ]

    def __str__(self):
        return self.username

    def get_session_auth_hash(self):
        # A session's person kept without the password hash (accounts.sessions) brings the hash of the
        # password it was kept with; its password, once read, counts instead.
        kept = self.__dict__.get("_kept_session_auth_hash")
        if kept is not None and "password" not in self.__dict__:
            return kept
        return super().get_session_auth_hash()

    @property
    def is_blocked(self):
        """Blocked people can still sign in, download their data and delete their account, but not take part."""
        return self.blocked_at is not None
