"""notify(): exactly the right people get one mail each, as a background task after the commit."""

import email.policy

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from allmende.notifications import services
from allmende.notifications.mail import base_url
from allmende.notifications.tasks import send_notification
from allmende.proposals.models import Proposal
from tests.notifications.conftest import make_proposal


def recipients(mailbox):
    return sorted(address for mail in mailbox for address in mail.to)


@pytest.mark.django_db
def test_followers_get_one_mail_each_but_not_the_actor(proposal, followers, notify_now, mailoutbox):
    anna, bernd = followers
    sent = notify_now(services.COMMENTED, proposal, actor=anna, extra={"excerpt": "Gute Idee & mehr"})
    assert sent == 2
    assert recipients(mailoutbox) == ["autorin@example.org", "bernd@example.org"]
    mail = mailoutbox[0]
    assert proposal.title in mail.subject
    assert "> Gute Idee & mehr" in mail.body  # plain text: nothing HTML-escaped
    assert base_url() + proposal.get_absolute_url() in mail.body


@pytest.mark.django_db
def test_each_mail_is_in_its_recipients_language_not_the_actors(
    client, proposal, followers, notify_now, mailoutbox
):
    """A person who switched the site to English gets English mails; everyone else German, the default,
    whatever language the request that caused the mail was in."""
    anna, bernd = followers
    client.force_login(bernd)
    client.get("/sprache/", {"language": "en", "next": "/"})
    bernd.refresh_from_db()
    assert bernd.language == "en"
    with translation.override("en"):
        notify_now(services.STATE_CHANGED, proposal)
    subjects = {mail.to[0]: mail.subject for mail in mailoutbox}
    assert "Veröffentlicht" in subjects["anna@example.org"]  # the state "Published", German catalogue
    assert "Published" in subjects["bernd@example.org"]


@pytest.mark.django_db
def test_switched_off_kinds_are_respected(proposal, followers, notify_now, mailoutbox):
    anna, bernd = followers
    services.update_settings(anna, {services.COMMENTED: False})
    assert notify_now(services.COMMENTED, proposal) == 2
    assert recipients(mailoutbox) == ["autorin@example.org", "bernd@example.org"]
    mailoutbox.clear()
    # Other kinds still reach anna.
    assert notify_now(services.ANSWERED, proposal) == 3
    assert "anna@example.org" in recipients(mailoutbox)


@pytest.mark.django_db
def test_people_who_cannot_receive_mail_are_left_out(proposal, followers, notify_now, mailoutbox, make_user):
    anna, bernd = followers
    anna.is_active = False
    anna.save()
    nomail = make_user("ohnemail")
    nomail.email = ""
    nomail.save()
    services.follow(nomail, proposal)
    assert notify_now(services.STATE_CHANGED, proposal, extra={"state": "Im Haushalt"}) == 2
    assert recipients(mailoutbox) == ["autorin@example.org", "bernd@example.org"]
    assert "Im Haushalt" in mailoutbox[0].subject


@pytest.mark.django_db
def test_nothing_is_sent_for_a_rolled_back_action(
    proposal, followers, django_capture_on_commit_callbacks, mailoutbox
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert services.notify(services.COMMENTED, proposal) == 3
        raise RuntimeError("the comment could not be saved")
    assert callbacks == []
    assert mailoutbox == []
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_tasks_are_enqueued_on_commit_and_a_worker_sends_them(proposal, followers, mailoutbox):
    """The real queue (django-tasks-db, as configured) and real commits: rows appear when the action's
    transaction commits, mails go out when `manage.py db_worker` runs."""
    with transaction.atomic():
        assert services.notify(services.ANSWERED, proposal, extra={"excerpt": "Wird geprüft."}) == 3
        assert not DBTaskResult.objects.exists()  # not before the commit
    assert DBTaskResult.objects.filter(status="READY").count() == 3
    assert mailoutbox == []
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3
    assert recipients(mailoutbox) == ["anna@example.org", "autorin@example.org", "bernd@example.org"]
    assert all("> Wird geprüft." in mail.body for mail in mailoutbox)


@pytest.mark.django_db
def test_hidden_reaches_the_author_who_unfollowed_with_the_reason(
    proposal, followers, notify_now, mailoutbox, make_user
):
    moderator = make_user("moderation", role=None)
    services.unfollow(proposal.author, proposal)
    Proposal.objects.filter(pk=proposal.pk).update(state=Proposal.State.HIDDEN)
    sent = notify_now(services.HIDDEN, proposal, actor=moderator, reason="Verstößt gegen Regel 3.")
    assert sent == 3
    by_address = {mail.to[0]: mail for mail in mailoutbox}
    assert set(by_address) == {"autorin@example.org", "anna@example.org", "bernd@example.org"}
    to_author = by_address["autorin@example.org"]
    assert "Verstößt gegen Regel 3." in to_author.body
    assert "/seite/dialogregeln/" in to_author.body
    # Followers learn that it was hidden, not the moderator's words about the author.
    assert "Verstößt gegen Regel 3." not in by_address["anna@example.org"].body
    assert "/seite/dialogregeln/" not in by_address["anna@example.org"].body


@pytest.mark.django_db
def test_hidden_respects_the_authors_setting_and_skips_the_acting_author(proposal, notify_now, mailoutbox):
    services.update_settings(proposal.author, {services.HIDDEN: False})
    assert notify_now(services.HIDDEN, proposal, reason="x") == 0
    services.update_settings(proposal.author, {services.HIDDEN: True})
    assert notify_now(services.HIDDEN, proposal, actor=proposal.author, reason="x") == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_hidden_comment_is_told_to_its_author_only(proposal, followers, notify_now, mailoutbox, make_user):
    commenter = make_user("carla")
    sent = notify_now(
        services.HIDDEN,
        proposal,
        reason="Beleidigend.",
        extra={"author": commenter, "excerpt": "Unfreundlicher Text", "url": "/irgendwo/#kommentar-7"},
    )
    assert sent == 1
    (mail,) = mailoutbox
    assert mail.to == ["carla@example.org"]
    assert "> Unfreundlicher Text" in mail.body
    assert "Beleidigend." in mail.body
    assert base_url() + "/irgendwo/#kommentar-7" in mail.body


@pytest.mark.django_db
def test_merged_names_the_target(proposal, followers, notify_now, mailoutbox):
    target = make_proposal(proposal.round, title="Das Original")
    Proposal.objects.filter(pk=proposal.pk).update(state=Proposal.State.MERGED, merged_into=target)
    proposal.refresh_from_db()
    assert notify_now(services.MERGED, proposal) == 3
    assert "Das Original" in mailoutbox[0].body
    assert target.get_absolute_url() in mailoutbox[0].body
    assert "Sie folgen jetzt diesem Vorschlag" in mailoutbox[0].body


@pytest.mark.django_db
def test_every_mail_has_list_unsubscribe_headers(proposal, followers, notify_now, mailoutbox):
    notify_now(services.COMMENTED, proposal)
    for mail in mailoutbox:
        message = mail.message()
        link = message["List-Unsubscribe"]
        assert link.startswith(f"<{base_url()}/konto/benachrichtigungen/abbestellen/")
        assert link.endswith("/>")
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link[1:-1] in mail.body  # the same link, readable in the text
        # Written out as it is, on one line: mail programs can't read an RFC 2047-encoded URL.
        for policy in (email.policy.default, email.policy.SMTP):
            raw = mail.message(policy=policy).as_bytes()
            assert f"List-Unsubscribe: {link}".encode() + policy.linesep.encode() in raw


@pytest.mark.django_db
def test_the_task_sends_nothing_when_the_wish_changed_in_the_meantime(proposal, followers, immediate_tasks):
    anna, bernd = followers
    services.update_settings(anna, {services.COMMENTED: False})
    assert send_notification.call(anna.pk, services.COMMENTED, proposal.pk) is False
    services.unfollow(bernd, proposal)
    assert send_notification.call(bernd.pk, services.COMMENTED, proposal.pk) is False
    assert send_notification.call(987654, services.COMMENTED, proposal.pk) is False


@pytest.mark.django_db
def test_unknown_kinds_and_unstorable_extras_fail_in_the_caller(proposal):
    with pytest.raises(ValueError):
        services.notify("liked", proposal)
    with pytest.raises(TypeError):
        services.notify(services.COMMENTED, proposal, extra={"when": object()})
