from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from allmende.accounts import roles
from allmende.comments import services
from allmende.comments.models import Comment
from allmende.comments.queries import thread
from allmende.proposals.models import Proposal
from allmende.proposals.services import ActionRefused
from tests.factories import make_proposal, make_round


def count(proposal):
    return Proposal.objects.get(pk=proposal.pk).comment_count


@pytest.mark.django_db
def test_post_and_reply_two_levels_deep(proposal, make_user):
    anna, bernd = make_user("anna"), make_user("bernd")
    first = services.post_comment(anna, proposal, "Gute Idee")
    reply = services.post_comment(bernd, proposal, "Finde ich auch", parent=first)
    deeper = services.post_comment(anna, proposal, "Danke", parent=reply)
    deepest = services.post_comment(bernd, proposal, "Gern", parent=deeper)
    assert (first.depth, reply.depth, deeper.depth) == (0, 1, 2)
    assert deepest.depth == 2 and deepest.parent_id == reply.pk  # stays beside the last reply
    assert count(proposal) == 4


@pytest.mark.django_db
def test_the_thread_with_its_authors_names_takes_one_query_whatever_its_size(proposal, make_user):
    anna, bernd, gone = make_user("anna"), make_user("bernd"), make_user("gone")
    first = services.post_comment(anna, proposal, "Gute Idee")
    reply = services.post_comment(bernd, proposal, "Finde ich auch", parent=first)
    services.post_comment(gone, proposal, "Bin bald weg")
    services.post_comment(anna, proposal, "Danke", parent=reply)
    gone.delete()  # the comment stays, without an author
    with CaptureQueriesContext(connection) as queries:
        highlighted, roots = thread(proposal)
        names = [(c.body, c.author_name) for c in roots]
        replies = [(c.body, c.author_name) for c in roots[0].children + roots[0].children[0].children]
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert highlighted == []
    assert names == [("Gute Idee", "anna"), ("Bin bald weg", None)]
    assert replies == [("Finde ich auch", "bernd"), ("Danke", "anna")]
    assert thread(make_proposal(proposal.round)) == ([], [])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"), [("", "schreiben Sie"), ("   ", "schreiben Sie"), ("x" * 5001, "höchstens 5000")]
)
def test_empty_or_oversized_comments_are_refused(proposal, make_user, body, message):
    with pytest.raises(ActionRefused, match=message):
        services.post_comment(make_user("anna"), proposal, body)
    assert not Comment.objects.exists() and count(proposal) == 0


@pytest.mark.django_db
def test_script_in_a_comment_is_rendered_inert(client, proposal, make_user):
    services.post_comment(
        make_user("anna"), proposal, '<script>alert("x")</script> **fett** <img src=x onerror=alert(1)>'
    )
    html = client.get(proposal.get_absolute_url()).content.decode()
    thread = html.split('id="diskussion"', 1)[1]
    assert "<script>alert" not in thread and "<img src=x" not in thread
    assert "<strong>fett</strong>" in thread


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["hidden", "merged", "withdrawn"])
def test_no_comments_on_hidden_merged_or_withdrawn_proposals(rating_round, make_user, state):
    target = make_proposal(rating_round)
    proposal = make_proposal(rating_round, state=state, merged_into=target if state == "merged" else None)
    with pytest.raises(ActionRefused):
        services.post_comment(make_user("anna"), proposal, "Hallo")


@pytest.mark.django_db
def test_no_comments_when_the_round_is_closed(make_user):
    proposal = make_proposal(make_round(phase="closed"))
    with pytest.raises(ActionRefused, match="keine Kommentare"):
        services.post_comment(make_user("anna"), proposal, "Hallo")


@pytest.mark.django_db
def test_edit_within_15_minutes_is_marked(proposal, make_user):
    anna = make_user("anna")
    comment = services.post_comment(anna, proposal, "Tippfeler")
    services.edit_comment(anna, comment, "Tippfehler")
    comment.refresh_from_db()
    assert comment.body == "Tippfehler" and comment.edited_at
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    comment.refresh_from_db()
    with pytest.raises(ActionRefused, match="15 Minuten"):
        services.edit_comment(anna, comment, "zu spät")
    with pytest.raises(ActionRefused):
        services.edit_comment(make_user("bernd"), comment, "fremd")


@pytest.mark.django_db
def test_the_page_offers_editing_only_while_the_author_may_edit(client, proposal, make_user):
    """The edit link follows rounds/permissions.py's rule (the author, 15 minutes, shown): after the
    window only deleting is offered, and nobody else gets either link."""
    anna = make_user("anna")
    comment = services.post_comment(anna, proposal, "Erster Gedanke")
    edit_link = reverse("comments:edit", args=[comment.pk])
    delete_link = reverse("comments:delete", args=[comment.pk])
    client.force_login(anna)
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert edit_link in page and delete_link in page
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert edit_link not in page and delete_link in page
    client.force_login(make_user("bernd"))
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert edit_link not in page and delete_link not in page
    response = client.post(delete_link, follow=True)  # asked for anyway: refused with the reason
    assert "Nur die Verfasserin oder der Verfasser kann einen Kommentar löschen." in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).deleted_at is None


@pytest.mark.django_db
def test_delete_replaces_the_text_and_keeps_replies(client, proposal, make_user):
    anna, bernd = make_user("anna"), make_user("bernd")
    comment = services.post_comment(anna, proposal, "Geheimnis")
    services.post_comment(bernd, proposal, "Antwort bleibt", parent=comment)
    services.delete_comment(anna, comment)
    services.delete_comment(anna, comment)  # twice counts once
    assert count(proposal) == 1
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Geheimnis" not in html and "Antwort bleibt" in html and "gelöscht" in html


@pytest.mark.django_db
def test_official_reply_gets_a_badge_and_can_be_highlighted(client, proposal, make_user):
    staff = make_user("verwaltung", role=roles.ADMINISTRATION)
    resident = make_user("anna")
    answer = services.post_comment(staff, proposal, "Die Verwaltung prüft das.", official=True)
    plain = services.post_comment(resident, proposal, "Ich bin offiziell", official=True)
    assert answer.official == "administration" and plain.official == ""
    services.set_highlight(staff, answer, True)
    with pytest.raises(ActionRefused):
        services.set_highlight(resident, plain, True)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Antwort der Verwaltung" in html
    assert html.index("Hervorgehobene Antworten") < html.index("Alle Kommentare")


@pytest.mark.django_db
def test_posting_without_and_with_javascript(client, proposal, make_user):
    client.force_login(make_user("anna"))
    url = reverse("comments:post", args=[proposal.round.slug, proposal.number])
    response = client.post(url, {"body": "Ohne JavaScript"})
    assert response.status_code == 302 and "#kommentar-" in response["Location"]
    response = client.post(url, {"body": "Mit htmx"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<section id="diskussion"')
    assert "Mit htmx" in html and 'hx-swap-oob="innerHTML"' in html and "veröffentlicht" in html
    response = client.post(url, {"body": ""}, headers={"HX-Request": "true"})
    assert "message--error" in response.content.decode()
    assert count(proposal) == 2


@pytest.mark.django_db
def test_comment_count_orders_the_list(client, rating_round, make_user):
    quiet, busy = make_proposal(rating_round, title="ruhig"), make_proposal(rating_round, title="belebt")
    anna = make_user("anna")
    services.post_comment(anna, busy, "eins")
    services.post_comment(anna, busy, "zwei")
    response = client.get(reverse("proposals:list", args=[rating_round.slug]) + "?sort=comments")
    assert [p.title for p in response.context["page"].proposals] == ["belebt", "ruhig"]
    assert quiet.comment_count == 0


@pytest.mark.django_db
def test_the_empty_comment_form_follows_language_and_role_and_keeps_no_errors(
    client, proposal, make_user, settings
):
    # The empty form is rendered once per language and set of fields and then reused
    # (forms.RenderedOncePerLanguage): another language, the official checkbox, or a refused text
    # must still show up where they belong, and only there.
    url = proposal.get_absolute_url()
    client.force_login(make_user("anna"))
    german = client.get(url).content.decode()
    assert "Ihr Kommentar" in german and "Als offizielle Antwort" not in german
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "Your comment" in english and "Ihr Kommentar" not in english
    client.force_login(make_user("verwaltung", role=roles.ADMINISTRATION))
    assert "Post as an official reply" in client.get(url).content.decode()
    post_url = reverse("comments:post", args=[proposal.round.slug, proposal.number])
    refused = client.post(post_url, {"body": " " * 3}, headers={"HX-Request": "true"}).content.decode()
    assert "Please write something before sending." in refused
    again = client.get(url).content.decode()
    assert "Please write something before sending." not in again and "Post as an official reply" in again
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    client.force_login(make_user("bernd"))
    assert "Als offizielle Antwort" not in client.get(url).content.decode()


@pytest.mark.django_db
def test_a_comments_text_is_rendered_once_for_all_its_readers(client, proposal, make_user, monkeypatch):
    """Every signed-in reader's page renders the discussion; the Markdown of each comment is rendered
    once per process (allmende.markup), also for short texts, and an edited text anew."""
    from allmende import markup

    rendered = []
    real = markup._render
    monkeypatch.setattr(markup, "_render", lambda text: rendered.append(text) or real(text))
    markup._render_kept.cache_clear()
    author = make_user("bert")
    comment = services.post_comment(author, proposal, "Kurz und **fett**.")
    for name in ("cora", "dora"):
        client.force_login(make_user(name))
        assert "Kurz und <strong>fett</strong>." in client.get(proposal.get_absolute_url()).content.decode()
    assert rendered.count("Kurz und **fett**.") == 1
    services.edit_comment(author, comment, "Jetzt *anders*.")
    assert "Jetzt <em>anders</em>." in client.get(proposal.get_absolute_url()).content.decode()
    assert rendered.count("Jetzt *anders*.") == 1


@pytest.mark.django_db
def test_each_comment_gets_its_own_reply_form(client, proposal, make_user):
    """The actions under a comment are kept per kind and filled in per comment
    (comments.pieces.actions_html, ops/pieces.kept_piece): each reply form names its comment as the parent, its
    field is labelled with that comment's author; each report link names its comment and author."""
    import re

    from allmende.accounts import services as accounts
    from allmende.ops import pieces

    anna, bernd, gone = make_user("anna"), make_user("bernd.b"), make_user("weg")
    first = services.post_comment(anna, proposal, "Gute Idee")
    reply = services.post_comment(bernd, proposal, "Finde ich auch", parent=first)
    services.post_comment(anna, proposal, "Danke", parent=reply)  # third level: no reply form
    orphan = services.post_comment(gone, proposal, "Weiß nicht")
    accounts.delete_account(gone)
    client.force_login(make_user("cora"))
    page = client.get(proposal.get_absolute_url()).content.decode()
    form = r'<form method="post" action="[^"]+" hx-post[^>]*class="form" novalidate>.*?</form>'
    forms = re.findall(form, page, re.S)
    expected = {first.pk: "anna", reply.pk: "bernd.b", orphan.pk: "gelöschtes Konto"}
    assert len(forms) == len(expected)
    for form in forms:
        pk = int(re.search(r'name="parent" value="(\d+)"', form).group(1))
        assert f'<label for="reply-{pk}">Ihre Antwort an {expected.pop(pk)}</label>' in form
        assert f'<textarea id="reply-{pk}" name="body"' in form
    assert not expected
    reports = re.findall(
        r'<a href="/melden/kommentar/(\d+)/">Melden<span class="visually-hidden"> den Kommentar von ([^<]+)</span>',
        page,
    )
    third = Comment.objects.get(parent=reply)
    authors = ((first, "anna"), (reply, "bernd.b"), (third, "anna"), (orphan, "gelöschtes Konto"))
    assert sorted(reports) == sorted((str(c.pk), name) for c, name in authors)
    assert not any(mark in page for mark in pieces._MARKS.values())


@pytest.mark.django_db
def test_a_comments_meta_line_is_kept_but_shows_every_change(client, proposal, make_user):
    """The comment's opening and meta line is kept per process (comments.pieces.meta_html) under what
    it shows: a renamed or deleted author, an edit, an official badge and the language show at once."""
    from allmende.accounts import services as accounts
    from allmende.accounts.models import User

    bert = make_user("bert")
    comment = services.post_comment(bert, proposal, "Meine Meinung")
    client.force_login(make_user("cora"))

    def meta():
        page = client.get(proposal.get_absolute_url()).content.decode()
        start = page.index('<li class="comment')
        return page[start : page.index("</p>", start)]

    assert "<strong>bert</strong>" in meta() and "bearbeitet" not in meta()
    User.objects.filter(pk=bert.pk).update(username="berta")
    assert "<strong>berta</strong>" in meta() and 'aria-label="Kommentar von berta"' in meta()
    services.edit_comment(User.objects.get(pk=bert.pk), comment, "Doch anders")
    assert "bearbeitet" in meta()
    Comment.objects.filter(pk=comment.pk).update(official=Comment.Official.ADMINISTRATION)
    assert "badge--official" in meta()
    client.cookies["django_language"] = "en"
    assert "edited" in meta() and "Comment by berta" in meta()
    del client.cookies["django_language"]
    accounts.delete_account(User.objects.get(pk=bert.pk))
    assert "<strong>gelöschtes Konto</strong>" in meta()


@pytest.mark.django_db
def test_a_hidden_comments_reason_is_shown_to_its_author_and_the_moderators_only(client, proposal, make_user):
    author = make_user("bert")
    comment = services.post_comment(author, proposal, "Kauft bei uns!")
    Comment.objects.filter(pk=comment.pk).update(is_hidden=True, hidden_reason="Werbung für ein Geschäft")
    moderator = make_user("moderation", role=roles.MODERATOR, is_staff=True)
    for reader, shown in [(None, False), (make_user("carla"), False), (author, True), (moderator, True)]:
        client.logout()
        if reader is not None:
            client.force_login(reader)
        page = client.get(proposal.get_absolute_url()).content.decode()
        assert "Dieser Kommentar wurde von der Moderation ausgeblendet." in page
        assert ("Werbung für ein Geschäft" in page) == shown, reader
