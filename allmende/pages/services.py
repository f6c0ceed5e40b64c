from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _

from .defaults import DEFAULT_PAGES
from .models import AccessibilityFeedback, Page


def ensure_default_pages(using="default"):
    """Create the pages every city needs, once. Existing pages are never overwritten."""
    for slug, fields in DEFAULT_PAGES.items():
        Page.objects.using(using).get_or_create(slug=slug, defaults=fields)


def ensure_default_pages_after_migrate(sender, using="default", **kwargs):
    ensure_default_pages(using=using)


@transaction.atomic
def submit_accessibility_feedback(message: str, email: str = "", page_url: str = "") -> AccessibilityFeedback:
    feedback = AccessibilityFeedback.objects.create(message=message, email=email, page_url=page_url)
    body = _(
        "A barrier was reported on the participation platform.\n\n"
        "Page: %(page)s\nReply to: %(email)s\n\n%(message)s"
    )
    transaction.on_commit(
        lambda: send_mail(
            _("Accessibility feedback #%(id)s") % {"id": feedback.pk},
            body % {"page": page_url or "-", "email": email or "-", "message": message},
            settings.DEFAULT_FROM_EMAIL,
            [settings.ACCESSIBILITY_FEEDBACK_EMAIL],
        )
    )
    return feedback
