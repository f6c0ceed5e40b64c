"""The proposal pages: list, detail, form, rating button; what a resident sees and does."""

import io
import re
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.safestring import mark_safe
from PIL import Image

from allmende.proposals import services
from allmende.proposals.models import Proposal, Support
from allmende.rounds.models import Phase, Round
from tests.factories import make_proposal, make_round


def list_url(round_, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("proposals:list", args=[round_.slug]) + (f"?{query}" if query else "")


@pytest.mark.django_db
def test_list_needs_the_same_number_of_queries_for_any_page_size(client, rating_round, make_user):
    author = make_user("autorin")
    make_proposal(rating_round, author=author)
    with CaptureQueriesContext(connection) as few:
        client.get(list_url(rating_round))
    for _ in range(24):
        make_proposal(rating_round, author=make_user(f"a{rating_round.proposals.count()}"))
    cache.clear()  # the cards of page 1 were kept (ten seconds)
    with CaptureQueriesContext(connection) as many:
        response = client.get(list_url(rating_round))
    assert len(response.context["page"].proposals) == 20
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as kept:
        again = client.get(list_url(rating_round)).content.decode()
    # While the cards and the count are kept (ten seconds), the page reads neither again.
    assert len(kept) == len(many) - 2 and again.count('class="card proposal-card"') == 20
    assert not any("COUNT(" in q["sql"].upper() for q in kept)
    client.force_login(author)
    with CaptureQueriesContext(connection) as signed_in:
        client.get(list_url(rating_round, page=2))
    # The cards are the same for every reader: a signed-in reader's list asks for their session and
    # person (the session from the database here, from Redis in production) and the cards of its
    # page; the count is that of the page before (the same filters).
    assert len(signed_in) == len(few) + 1, [q["sql"][:80] for q in signed_in]
    assert not any('"proposals_support"' in q["sql"] for q in signed_in)
    with CaptureQueriesContext(connection) as other_filter:
        html = client.get(list_url(rating_round, direction=Proposal.Direction.LESS)).content.decode()
    assert any("COUNT(" in q["sql"].upper() for q in other_filter)  # other filters: counted anew
    assert '<p class="result-count" role="status">0 Vorschläge gefunden</p>' in html


@pytest.mark.django_db
def test_detail_and_support_toggle_stay_within_their_query_budget(client, proposal, make_user):
    """The two hottest pages of a rating phase (benchmarks/forum): a proposal without council
    records costs one query for its whole timeline, a support no re-read of round and phases."""
    url = proposal.get_absolute_url()
    with CaptureQueriesContext(connection) as anonymous:
        assert client.get(url).status_code == 200
    assert len(anonymous) <= 4, [q["sql"][:80] for q in anonymous]
    client.force_login(make_user("anna"))
    rate_url = reverse("proposals:rate", args=[proposal.round.slug, proposal.number])
    for data in ({"value": "1"}, {"withdraw": "1"}):
        with CaptureQueriesContext(connection) as toggle:
            response = client.post(rate_url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        statements = [q["sql"] for q in toggle if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
        assert len(statements) <= 6, [sql[:80] for sql in statements]
    proposal.refresh_from_db()
    assert proposal.support_count == 0


@pytest.mark.django_db
def test_list_filters_search_and_announces_the_count(client, rating_round):
    make_proposal(rating_round, title="Mehr Radwege", description="sichere Radwege für alle")
    make_proposal(rating_round, title="Neue Bänke", direction=Proposal.Direction.LESS)
    make_proposal(rating_round, title="Versteckt", state=Proposal.State.HIDDEN)
    html = client.get(list_url(rating_round)).content.decode()
    assert '<p class="result-count" role="status">2 Vorschläge gefunden</p>' in html
    assert "Versteckt" not in html
    response = client.get(list_url(rating_round, q="Radwege"))
    assert [p.title for p in response.context["page"].proposals] == ["Mehr Radwege"]
    response = client.get(list_url(rating_round, direction="less"))
    assert [p.title for p in response.context["page"].proposals] == ["Neue Bänke"]


@pytest.mark.django_db
def test_sort_orders(client, rating_round, make_user):
    old, new = make_proposal(rating_round, title="alt"), make_proposal(rating_round, title="neu")
    services.rate(make_user("anna"), old)
    Proposal.objects.filter(pk=new.pk).update(comment_count=5)

    def titles(sort):
        return [p.title for p in client.get(list_url(rating_round, sort=sort)).context["page"].proposals]

    assert titles("top") == ["alt", "neu"]
    assert titles("new") == ["neu", "alt"]
    assert titles("comments") == ["neu", "alt"]


@pytest.mark.django_db
def test_random_order_is_stable_per_seed_and_covers_everything_once(client, rating_round):
    for _ in range(45):
        make_proposal(rating_round)

    def order(seed):
        seen = []
        for page in (1, 2, 3):
            response = client.get(list_url(rating_round, sort="random", seed=seed, page=page))
            seen += [p.pk for p in response.context["page"].proposals]
        return seen

    first = order(12345)
    assert sorted(first) == sorted(rating_round.proposals.values_list("pk", flat=True))
    assert order(12345) == first
    assert order(98765) != first


@pytest.mark.django_db
def test_detail_says_how_often_it_was_supported_and_never_by_whom(client, proposal, make_user):
    for name in ("erika", "fritz"):
        services.rate(make_user(name), proposal)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "Der Vorschlag wurde 2 mal unterstützt." in html
    assert "erika" not in html and "fritz" not in html
    assert "erika@example.org" not in html and "autorin@example.org" not in html


@pytest.mark.django_db
def test_support_button_without_javascript(client, proposal, make_user):
    client.force_login(make_user("anna"))
    url = reverse("proposals:rate", args=[proposal.round.slug, proposal.number])
    response = client.post(url, {"value": "1", "next": proposal.get_absolute_url()})
    assert response.status_code == 302
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert 'aria-pressed="true"' in html
    assert "Vorschlag unterstützen (1 Unterstützung)" in html
    client.post(url, {"withdraw": "1"})
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert 'aria-pressed="false"' in html
    assert "Vorschlag unterstützen (0 Unterstützungen)" in html


@pytest.mark.django_db
def test_support_button_with_htmx_returns_the_control_and_a_status(client, proposal, make_user):
    client.force_login(make_user("anna"))
    url = reverse("proposals:rate", args=[proposal.round.slug, proposal.number])
    response = client.post(url, {"value": "1"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div class="rating"')
    assert 'aria-pressed="true"' in html
    assert 'hx-swap-oob="innerHTML"' in html and "gezählt" in html


@pytest.mark.django_db
def test_the_swapped_in_control_posts_with_the_pages_csrf_header(proposal, make_user):
    """The control htmx swaps in carries no token field (the page's hx-headers send the token), so
    supporting and taking it back in a row must pass the CSRF check on the header alone."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("anna"))
    page = browser.get(proposal.get_absolute_url()).content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    url = reverse("proposals:rate", args=[proposal.round.slug, proposal.number])
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    swapped = browser.post(url, {"value": "1"}, headers=headers).content.decode()
    assert "csrfmiddlewaretoken" not in swapped
    assert f'hx-post="{url}"' in swapped and f'action="{url}"' in swapped
    assert browser.post(url, {"withdraw": "1"}, headers=headers).status_code == 200
    assert browser.post(url, {"withdraw": "1"}, headers={"HX-Request": "true"}).status_code == 403
    proposal.refresh_from_db()
    assert proposal.support_count == 0


@pytest.mark.django_db
def test_support_outside_the_phase_gets_a_message_not_an_error(client, make_user):
    round_ = make_round(phase=Phase.Kind.ANSWERS)
    proposal = make_proposal(round_)
    client.force_login(make_user("anna"))
    url = reverse("proposals:rate", args=[round_.slug, proposal.number])
    response = client.post(url, {"value": "1"}, follow=True)
    assert response.status_code == 200
    assert "nur während der Bewertungsphase" in response.content.decode()
    assert not Support.objects.exists()


@pytest.mark.django_db
def test_anonymous_readers_are_offered_sign_in_links_back_to_the_proposal(client, proposal):
    html = client.get(proposal.get_absolute_url()).content.decode()
    back = f'href="{reverse("account_login")}?next={quote(proposal.get_absolute_url())}'
    assert html.count(back) == 3, html  # to support, to follow, to comment (the last back to #diskussion)


@pytest.mark.django_db
def test_anonymous_support_leads_to_login(client, proposal):
    url = reverse("proposals:rate", args=[proposal.round.slug, proposal.number])
    response = client.post(url, {"value": "1"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
def test_hidden_counts_until_the_rating_phase_ends(client, make_user):
    round_ = make_round(hide_counts_until_end=True)
    proposal = make_proposal(round_)
    services.rate(make_user("anna"), proposal)
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert "1 mal" not in html and "(1 Unterstützung)" not in html


def png_upload(name="bild.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (10, 120, 90)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def form_data(round_, **changes):
    data = {
        "title": "Mehr Bäume in der Altstadt",
        "summary": "Schatten im Sommer.",
        "description": "## Warum\n\nEs wird heißer.",
        "direction": "more",
        "topic": round_.topics.first().pk,
        "district": "",
        "cost": "700.000",
        "cost_period": "yearly",
        "cost_note": "ca. 700.000 Euro/Jahr",
        "image_alt": "",
        "image_caption": "",
        "image_credit": "",
        "latitude": "",
        "longitude": "",
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_propose_with_image(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    round_ = make_round(phase=Phase.Kind.PROPOSALS)
    client.force_login(make_user("anna"))
    data = form_data(round_, image_upload=png_upload(), image_alt="Eine Allee", image_credit="Foto: Anna")
    response = client.post(reverse("proposals:create", args=[round_.slug]), data)
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.reference == "BH2030-0001"
    assert proposal.cost_cents == 70_000_000 and proposal.cost_period == "yearly"
    assert proposal.image.name.endswith(".webp") and proposal.image_thumbnail
    html = client.get(proposal.get_absolute_url()).content.decode()
    assert 'alt="Eine Allee"' in html and "(Foto: Anna)" in html
    assert "700.000 € pro Jahr" in html


@pytest.mark.django_db
def test_bad_upload_is_refused_and_nothing_is_stored(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    round_ = make_round(phase=Phase.Kind.PROPOSALS)
    client.force_login(make_user("anna"))
    fake = SimpleUploadedFile("foto.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post(
        reverse("proposals:create", args=[round_.slug]), form_data(round_, image_upload=fake, image_alt="x")
    )
    assert response.status_code == 200
    assert "image_upload" in response.context["form"].errors
    assert not Proposal.objects.exists()
    assert not any(tmp_path.rglob("*.*"))
    # What was typed stays in the form.
    assert "Mehr Bäume in der Altstadt" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "x" * 121}, "title"),
        ({"summary": "x" * 501}, "summary"),
        ({"title": ""}, "title"),
        ({"cost": "viel Geld"}, "cost"),
        ({"cost": "-5"}, "cost"),
        ({"image_upload": None, "image_alt": ""}, None),
        ({"latitude": "47.9"}, "longitude"),
        ({"direction": "mehr"}, "direction"),
    ],
)
def test_form_errors_are_specific(client, make_user, changes, field):
    round_ = make_round(phase=Phase.Kind.PROPOSALS)
    client.force_login(make_user("anna"))
    data = {k: v for k, v in form_data(round_, **changes).items() if v is not None}
    response = client.post(reverse("proposals:create", args=[round_.slug]), data)
    if field is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_image_needs_alt_text(client, make_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    round_ = make_round(phase=Phase.Kind.PROPOSALS)
    client.force_login(make_user("anna"))
    response = client.post(
        reverse("proposals:create", args=[round_.slug]), form_data(round_, image_upload=png_upload())
    )
    assert "image_alt" in response.context["form"].errors
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_preview_saves_nothing(client, make_user):
    round_ = make_round(phase=Phase.Kind.PROPOSALS)
    client.force_login(make_user("anna"))
    response = client.post(reverse("proposals:create", args=[round_.slug]), form_data(round_, preview="1"))
    assert response.status_code == 200
    assert "<h2>Warum</h2>" in response.content.decode()
    assert not Proposal.objects.exists()


@pytest.mark.django_db
def test_author_edits_until_first_support_then_not(client, make_user):
    round_ = make_round(phase=Phase.Kind.PROPOSALS, support_during_proposals=True)
    author = make_user("autorin")
    proposal = make_proposal(round_, author=author)
    client.force_login(author)
    edit = reverse("proposals:edit", args=[round_.slug, proposal.number])
    response = client.post(edit, form_data(round_, title="Geändert"))
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).title == "Geändert"
    services.rate(make_user("bernd"), proposal)
    response = client.post(edit, form_data(round_, title="Nochmal"), follow=True)
    assert "nicht mehr geändert" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).title == "Geändert"


@pytest.mark.django_db
def test_other_people_cannot_edit_or_withdraw(client, make_user):
    round_ = make_round(phase=Phase.Kind.PROPOSALS)
    proposal = make_proposal(round_, author=make_user("autorin"))
    client.force_login(make_user("bernd"))
    client.post(
        reverse("proposals:edit", args=[round_.slug, proposal.number]), form_data(round_, title="Fremd")
    )
    client.post(reverse("proposals:withdraw", args=[round_.slug, proposal.number]))
    proposal.refresh_from_db()
    assert (proposal.title, proposal.state) == ("Vorschlag 1", "published")


@pytest.mark.django_db
def test_withdraw_own_proposal(client, make_user):
    round_ = make_round(phase=Phase.Kind.PROPOSALS)
    author = make_user("autorin")
    proposal = make_proposal(round_, author=author)
    client.force_login(author)
    client.post(reverse("proposals:withdraw", args=[round_.slug, proposal.number]))
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.WITHDRAWN


@pytest.mark.django_db
def test_premoderated_round_keeps_new_proposals_out_of_the_list(client, make_user):
    round_ = make_round(phase=Phase.Kind.PROPOSALS, premoderation=True)
    client.force_login(make_user("anna"))
    client.post(reverse("proposals:create", args=[round_.slug]), form_data(round_))
    proposal = Proposal.objects.get()
    assert proposal.state == Proposal.State.PENDING
    client.logout()
    assert "Mehr Bäume" not in client.get(list_url(round_)).content.decode()
    assert client.get(proposal.get_absolute_url()).status_code == 404


@pytest.mark.django_db
def test_round_rating_modes_show_their_sentence(client, make_user):
    round_ = make_round(mode=Round.RatingMode.PRO_CONTRA)
    proposal = make_proposal(round_)
    services.rate(make_user("a"), proposal, 1)
    services.rate(make_user("b"), proposal, -1)
    services.rate(make_user("c"), proposal, 1)
    assert "2 dafür, 1 dagegen" in client.get(proposal.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_data_download_includes_proposals_and_supports(client, proposal, make_user):
    anna = make_user("anna")
    services.rate(anna, proposal)
    client.force_login(anna)
    data = client.get(reverse("accounts:export")).json()
    assert data["proposals"]["supports_and_ratings"][0]["proposal"] == proposal.reference


@pytest.mark.django_db
def test_similar_proposals_hint_never_blocks(client, make_user):
    round_ = make_round(phase=Phase.Kind.PROPOSALS)
    make_proposal(round_, title="Mehr Bäume in der Altstadt pflanzen")
    make_proposal(round_, title="Neue Sporthalle")
    response = client.get(reverse("proposals:similar", args=[round_.slug]) + "?title=Bäume Altstadt")
    html = response.content.decode()
    assert "Mehr Bäume in der Altstadt pflanzen" in html and "Sporthalle" not in html
    assert client.get(reverse("proposals:similar", args=[round_.slug]) + "?title=xy").content.strip() == b""
    client.force_login(make_user("anna"))
    response = client.post(reverse("proposals:create", args=[round_.slug]), form_data(round_, preview="1"))
    assert "Ähnliche Vorschläge gibt es schon" in response.content.decode()
    response = client.post(reverse("proposals:create", args=[round_.slug]), form_data(round_))
    assert response.status_code == 302  # the hint does not stop submitting


@pytest.mark.django_db
def test_the_further_filters_open_on_demand_and_stay_open_while_set(client, rating_round):
    """On a phone the four selects would fill the first screen: they sit in a disclosure that is open
    exactly when one of them is set, and says how many are."""

    def more(**params):
        html = client.get(list_url(rating_round, **params)).content.decode()
        return html[html.index('<details class="filters__more"') :].split(">", 1)[0], html

    tag, html = more()
    assert " open" not in tag and 'id="f-topic"' in html  # closed, but there
    tag, html = more(topic="verkehr", direction="less")
    assert " open" in tag and "(2 Filter gesetzt)" in html
    tag, _html = more(q="Radwege", sort="new")  # search and order are always visible
    assert " open" not in tag


@pytest.mark.parametrize(
    "name",
    [
        "proposals:detail",
        "proposals:rate",
        "proposals:edit",
        "proposals:withdraw",
        "notifications:follow",
        "comments:post",
    ],
)
def test_a_proposals_addresses_are_those_django_reverses(name):
    """allmende.ops.addresses.address (reversed once per route and round) gives a proposal's routes the
    very address `reverse` gives, for any number, also under a script prefix, and refuses what reverse
    refuses."""
    from django.urls import NoReverseMatch, set_script_prefix

    from allmende.ops.addresses import address as proposal_url

    try:
        for prefix in ("/", "/beteiligung/"):
            set_script_prefix(prefix)
            for slug, number in (
                ("bh-2027", 1),
                ("bh-2027", 42),
                ("bh-2027", 2_147_480_001),
                ("bh_2", 10**6),
            ):
                expected = reverse(name, kwargs={"slug": slug, "number": number})
                assert proposal_url(name, slug, number) == expected
                assert expected.startswith(prefix)
    finally:
        set_script_prefix("/")
    with pytest.raises(NoReverseMatch):
        proposal_url(name, "bh-2027", -1)
    with pytest.raises(NoReverseMatch):
        proposal_url(name, "kein slug", 3)


@pytest.mark.parametrize(
    "name, args",
    [
        ("comments:edit", (7,)),
        ("comments:delete", (123456,)),
        ("comments:highlight", (2_147_480_001,)),
        ("moderation:report", ("kommentar", 5)),
        ("moderation:report", (mark_safe("vorschlag"), 99)),  # a template's literal
        ("proposals:list", ("bh-2027",)),
        ("proposals:create", ("bh_2",)),
        ("pages:page", ("leichte-sprache",)),
    ],
)
def test_kept_addresses_are_those_django_reverses(name, args):
    """allmende.ops.addresses (reversed once per route and fixed arguments) gives what reverse gives,
    also under a script prefix, and refuses what reverse refuses."""
    from django.urls import NoReverseMatch, set_script_prefix

    from allmende.ops.addresses import address

    try:
        for prefix in ("/", "/beteiligung/", "/"):
            set_script_prefix(prefix)
            expected = reverse(name, args=args)
            assert address(name, *args) == expected and expected.startswith(prefix)
    finally:
        set_script_prefix("/")
    if isinstance(args[-1], int):
        with pytest.raises(NoReverseMatch):
            address(name, *args[:-1], -1)
    with pytest.raises(NoReverseMatch):
        address(name, *args[:-1], "kein slug")
