import pytest
from django.urls import reverse

from allmende.accounts import roles
from allmende.comments import services as comments
from allmende.comments.models import Comment
from allmende.moderation import services
from allmende.moderation.models import AuditEntry, Report
from allmende.proposals import services as proposals
from allmende.proposals.models import Proposal, Support
from allmende.proposals.services import ActionRefused
from tests.factories import make_proposal


@pytest.fixture
def moderator(make_user):
    return make_user("moderation", role=roles.MODERATOR, is_staff=True)


def state(proposal):
    return Proposal.objects.get(pk=proposal.pk)


@pytest.mark.django_db
def test_reports_by_the_same_person_count_once(proposal, make_user):
    anna = make_user("anna")
    _report, new = services.report(anna, proposal=proposal, reason="off_topic")
    _again, new_again = services.report(anna, proposal=proposal, reason="insult")
    assert (new, new_again) == (True, False)
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_only_what_others_show_can_be_reported_even_when_posted_directly(proposal, make_user, moderator):
    """The service asks rounds/permissions.py with the item, as the page does before it shows the link: a
    POST to the report address cannot report one's own proposal or comment, nor a hidden or deleted one."""
    author = proposal.author
    with pytest.raises(ActionRefused, match="veröffentlichte Vorschläge anderer"):
        services.report(author, proposal=proposal, reason="off_topic")
    anna = make_user("anna")
    comment = comments.post_comment(anna, proposal, "Meine Meinung")
    with pytest.raises(ActionRefused, match="sichtbare Kommentare anderer"):
        services.report(anna, comment=comment, reason="insult")
    services.report(author, comment=comment, reason="insult")  # a comment under one's own proposal: yes
    services.hide(moderator, comment=comment, reason="Beleidigung")
    with pytest.raises(ActionRefused, match="sichtbare Kommentare anderer"):
        services.report(make_user("bernd"), comment=comment, reason="insult")
    gone = comments.post_comment(anna, proposal, "Doch nicht")
    gone = comments.delete_comment(anna, gone)
    with pytest.raises(ActionRefused, match="sichtbare Kommentare anderer"):
        services.report(make_user("carla"), comment=gone, reason="insult")
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_threshold_of_reports_hides_until_a_moderator_decides(proposal, make_user, moderator):
    author = make_user("schreiber")
    comment = comments.post_comment(author, proposal, "Grenzwertig")
    for index in range(2):
        services.report(make_user(f"r{index}"), comment=comment, reason="insult")
    comment.refresh_from_db()
    assert not comment.is_hidden
    services.report(make_user("r3"), comment=comment, reason="insult")
    comment.refresh_from_db()
    assert comment.is_hidden and state(proposal).comment_count == 0
    services.dismiss_reports(moderator, comment=comment)
    comment.refresh_from_db()
    assert not comment.is_hidden and state(proposal).comment_count == 1
    assert not Report.objects.filter(resolved_at__isnull=True).exists()


@pytest.mark.django_db
def test_hide_needs_a_reason_and_the_author_sees_it(client, proposal, make_user, moderator):
    author = make_user("schreiber")
    comment = comments.post_comment(author, proposal, "Beleidigung")
    with pytest.raises(ActionRefused):
        services.hide(moderator, comment=comment, reason=" ")
    services.hide(moderator, comment=comment, reason="Verstößt gegen Regel 1 (Respekt)")
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Beleidigung" not in html and "Regel 1" not in html  # the public sees neither text nor reason
    client.force_login(author)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Verstößt gegen Regel 1 (Respekt)" in html
    entry = AuditEntry.objects.get(action="hide")
    assert entry.actor == moderator and entry.reason.startswith("Verstößt")


@pytest.mark.django_db
def test_hidden_proposal_only_for_author_and_moderation(client, proposal, moderator):
    services.hide(moderator, proposal=proposal, reason="Werbung")
    assert client.get(proposal.get_absolute_url()).status_code == 404
    client.force_login(proposal.author)
    assert "Werbung" in client.get(proposal.get_absolute_url()).content.decode()
    client.force_login(moderator)
    assert client.get(proposal.get_absolute_url()).status_code == 200
    services.unhide(moderator, proposal=proposal)
    assert state(proposal).state == "published"


@pytest.mark.django_db
def test_residents_cannot_moderate(client, proposal, make_user):
    anna = make_user("anna")
    with pytest.raises(ActionRefused):
        services.hide(anna, proposal=proposal, reason="weil")
    client.force_login(anna)
    assert client.get(reverse("moderation:queue")).status_code == 403
    url = reverse("moderation:act", args=["vorschlag", proposal.pk, "ausblenden"])
    assert client.post(url, {"reason": "weil"}).status_code == 403
    assert state(proposal).state == "published"


@pytest.mark.django_db
def test_edit_title_keeps_the_original(client, proposal, moderator):
    services.edit_title(moderator, proposal, "Klarer Titel", "Titel war unklar")
    services.edit_title(moderator, proposal, "Noch klarer", "Feinschliff")
    proposal = state(proposal)
    assert proposal.title == "Noch klarer" and proposal.original_title == "Vorschlag 1"
    assert "Vorschlag 1" in client.get(proposal.get_absolute_url()).content.decode()
    assert AuditEntry.objects.filter(action="edit_title").count() == 2


@pytest.mark.django_db
def test_merge_counts_each_supporter_once_and_can_be_undone(rating_round, make_user, moderator):
    source, target = make_proposal(rating_round, title="Doppelt"), make_proposal(rating_round, title="Bleibt")
    both, only_source, only_target = make_user("beide"), make_user("quelle"), make_user("ziel")
    for person, proposal in [(both, source), (both, target), (only_source, source), (only_target, target)]:
        proposals.rate(person, proposal)
    record = services.merge(moderator, source, target, "Gleicher Vorschlag")
    assert state(target).support_count == 3  # beide, quelle, ziel: the union
    assert state(source).state == "merged" and state(source).merged_into_id == target.pk
    assert state(source).support_count == 0
    assert proposals.recount() == []
    with pytest.raises(ActionRefused):
        proposals.rate(make_user("neu"), state(source))  # only the target can be supported now
    with pytest.raises(ActionRefused):
        comments.post_comment(make_user("neu2"), state(source), "Hallo")
    services.undo_merge(moderator, record, "Doch verschieden")
    assert state(source).state == "published" and state(source).support_count == 2
    assert state(target).support_count == 2
    assert set(Support.objects.filter(proposal=source).values_list("user__username", flat=True)) == {
        "beide",
        "quelle",
    }
    assert proposals.recount() == []
    assert [e.action for e in AuditEntry.objects.order_by("created_at", "id")] == ["merge", "undo_merge"]


@pytest.mark.django_db
def test_followers_of_a_merged_proposal_follow_its_target_until_the_merge_is_undone(
    rating_round, make_user, moderator, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from allmende.notifications import services as notifications

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    source = make_proposal(rating_round, author=make_user("autorin"), title="Doppelt")
    target = make_proposal(rating_round, author=make_user("zielautor"), title="Bleibt")
    both, only_source = make_user("beide"), make_user("quelle")
    for person, proposal in [(both, source), (both, target), (only_source, source)]:
        notifications.follow(person, proposal)
    with django_capture_on_commit_callbacks(execute=True):
        record = services.merge(moderator, source, target, "Gleicher Vorschlag")
    # The source's followers hear of the merge once, by the mail about the source; only who followed
    # both proposals before gets a mail about each.
    recipients = sorted(address.split("@")[0] for mail in mailoutbox for address in mail.to)
    assert recipients == ["autorin", "beide", "beide", "quelle", "zielautor"]
    followers = set(target.follows.values_list("user__username", flat=True))
    assert followers == {"zielautor", "beide", "quelle", "autorin"}
    assert set(source.follows.values_list("user__username", flat=True)) == {"autorin", "beide", "quelle"}
    services.undo_merge(moderator, record, "Doch verschieden")
    assert set(target.follows.values_list("user__username", flat=True)) == {"zielautor", "beide"}
    assert set(source.follows.values_list("user__username", flat=True)) == {"autorin", "beide", "quelle"}


@pytest.mark.django_db
def test_merge_is_refused_across_rounds_or_into_itself(rating_round, make_user, moderator):
    from tests.factories import make_round

    here, other = make_proposal(rating_round), make_proposal(make_round("andere"))
    with pytest.raises(ActionRefused):
        services.merge(moderator, here, here, "x")
    with pytest.raises(ActionRefused):
        services.merge(moderator, here, other, "x")


@pytest.mark.django_db
def test_merge_form_finds_the_target_by_reference(client, rating_round, moderator):
    source, target = make_proposal(rating_round), make_proposal(rating_round)
    client.force_login(moderator)
    url = reverse("moderation:merge", args=[source.pk])
    response = client.post(url, {"target": "BH2030-9999", "reason": "Duplikat"})
    assert "target" in response.context["form"].errors
    response = client.post(url, {"target": target.reference, "reason": "Duplikat"})
    assert response.status_code == 302
    assert state(source).merged_into_id == target.pk


@pytest.mark.django_db
def test_blocked_people_can_sign_in_but_not_take_part(client, proposal, make_user, moderator):
    anna = make_user("anna")
    services.block(moderator, anna, "Wiederholte Beleidigungen")
    anna.refresh_from_db()
    with pytest.raises(ActionRefused, match="gesperrt"):
        comments.post_comment(anna, proposal, "Hallo")
    client.force_login(anna)
    assert client.get(reverse("accounts:export")).status_code == 200  # still has their rights
    services.unblock(moderator, anna)
    anna.refresh_from_db()
    comments.post_comment(anna, proposal, "Wieder da")


@pytest.mark.django_db
def test_premoderation_queue_and_approval(client, make_user, moderator):
    from tests.factories import make_round

    round_ = make_round("vorab", premoderation=True)
    pending = make_proposal(round_, state="pending", title="Wartet")
    client.force_login(moderator)
    assert "Wartet" in client.get(reverse("moderation:queue")).content.decode()
    client.post(reverse("moderation:act", args=["vorschlag", pending.pk, "freigeben"]))
    assert state(pending).state == "published"


@pytest.mark.django_db
def test_audit_log_is_for_process_managers_only(client, make_user, moderator, proposal):
    services.hide(moderator, proposal=proposal, reason="Test")
    client.force_login(moderator)
    assert client.get(reverse("moderation:audit_log")).status_code == 403
    client.force_login(make_user("prozess", role=roles.PROCESS_MANAGER))
    html = client.get(reverse("moderation:audit_log")).content.decode()
    assert "hide" in html and "moderation" in html
    client.logout()
    assert client.get(reverse("moderation:audit_log")).status_code == 302


@pytest.mark.django_db
def test_report_form(client, proposal, make_user):
    client.force_login(make_user("anna"))
    comment = comments.post_comment(make_user("x"), proposal, "Werbung!")
    url = reverse("moderation:report", args=["kommentar", comment.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "advertising", "text": "Reklame"}, follow=True)
    assert "Moderation" in response.content.decode()
    assert Report.objects.get().comment == comment
    assert Comment.objects.get(pk=comment.pk).report_count == 1
