"""The notification e-mail: text from templates/notifications/mail/, RFC 8058 one-click unsubscribe."""

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import HIDDEN, KIND_LABELS, MERGED, STATE_CHANGED
from .tokens import make_token

EXCERPT_LENGTH = 600


def mail_language(user) -> str:
    """The language of a person's mails: the one they last chose on the site, else the site's."""
    language = getattr(user, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class UnfoldedHeader(str):
    """A header value written out on one line, exactly as given.

    Python's email package folds a long header without spaces by turning it into RFC 2047 encoded
    words (`=?utf-8?q?=3Chttps=3A//...`), which no mail program reads as a List-Unsubscribe URL. A value
    with a `name` and a `fold()` is taken as a ready header (email.policy.EmailPolicy); it stays within
    RFC 5322's limit of 998 characters a line. Being a str, Django passes it through unchanged.
    """

    def __new__(cls, name: str, value: str):
        if "\r" in value or "\n" in value or len(name) + len(value) > 990:
            raise ValueError("A header must be one line of at most 998 characters.")
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __reduce__(self):  # copy and pickle (the test mailbox deep-copies messages)
        return (UnfoldedHeader, (self.name, str(self)))

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"


def base_url() -> str:
    """Scheme and host for links in mails, from the site's domain (admin → Sites)."""
    scheme = "http" if settings.DEBUG else "https"
    return f"{scheme}://{Site.objects.get_current().domain}"


def _quote(text: str) -> str:
    text = text.strip()
    if len(text) > EXCERPT_LENGTH:
        text = text[: EXCERPT_LENGTH - 1].rstrip() + "…"
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def build_message(user, kind: str, proposal, reason: str = "", extra=None, as_author=False) -> EmailMessage:
    extra = extra or {}
    base = base_url()
    proposal_url = base + proposal.get_absolute_url()
    item_path = extra.get("url") or ""
    unsubscribe_url = base + reverse("notifications:unsubscribe", args=[make_token(user.pk, kind)])
    with translation.override(mail_language(user)):
        context = {
            "recipient": user,
            "kind": kind,
            "kind_label": str(KIND_LABELS[kind]),
            "proposal": proposal,
            "title": proposal.title,
            "reference": proposal.reference,
            "proposal_url": proposal_url,
            # Only our own paths: a mail never links elsewhere.
            "url": base + item_path if item_path.startswith("/") else proposal_url,
            "excerpt": _quote(str(extra["excerpt"])) if extra.get("excerpt") else "",
            "reason": reason.strip(),
            "as_author": as_author,
            "about_comment": kind == HIDDEN and extra.get("author") is not None,
            "city": settings.CITY_NAME,
            "unsubscribe_url": unsubscribe_url,
            "settings_url": base + reverse("notifications:settings"),
            "rules_url": base + reverse("pages:page", args=["dialogregeln"]),
        }
        if kind == STATE_CHANGED:
            context["state"] = extra.get("state") or proposal.get_state_display()
        if kind == MERGED and proposal.merged_into_id:
            target = proposal.merged_into
            context.update(
                target_title=target.title,
                target_reference=target.reference,
                target_url=base + target.get_absolute_url(),
            )
        subject = " ".join(render_to_string("notifications/mail/subject.txt", context).split())
        body = render_to_string(f"notifications/mail/{kind}.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            # RFC 2369 and RFC 8058: mail programs offer their own "unsubscribe" button, which POSTs
            # "List-Unsubscribe=One-Click" to this address.
            "List-Unsubscribe": UnfoldedHeader("List-Unsubscribe", f"<{unsubscribe_url}>"),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: no out-of-office replies to notifications.
            "Auto-Submitted": "auto-generated",
        },
    )
