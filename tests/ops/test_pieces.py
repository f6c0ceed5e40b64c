"""Kept pieces (allmende/ops/pieces.py): a piece put together from its kept rendering is the template
rendered afresh with the same values, for every kind of the proposal page's rating control and follow
button, with values that escaping changes, and in a second page with other values."""

import itertools

import pytest
from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import override

from allmende.ops import pieces
from allmende.ops.pieces import kept_piece

AWKWARD = {
    "pk": "17",
    "rate_url": "/runden/r/vorschlaege/17/bewerten/?a=1&b=2",
    "next_path": "/runden/r/vorschlaege/17/?q=\"<Baum>\"&x='1'",
    "csrf_token": "tokenABC123",
    "support_label": mark_safe("Vorschlag unterstützen (94 Unterstützungen)"),
    "pro_count": "12",
    "contra_count": "3",
    "points_left": "4",
    "points_total": "10",
    "summary": "Der Vorschlag wurde 94 mal unterstützt & <geteilt>.",
    "login_url": "/konto/login/?next=/runden/r/vorschlaege/17/",
    "status_message": 'Danke <b>&</b> "Gruß"',
    "follow_url": "/konto/benachrichtigungen/folgen/r/17/",
    "next_value": "/runden/r/vorschlaege/17/?s=a&t=<b>",
    "settings_url": "/konto/benachrichtigungen/",
    "heading": mark_safe("Diskussion (3 Kommentare)"),
    "highlighted": mark_safe('<li class="comment">Hervorgehoben & "gut"</li>'),
    "roots": mark_safe('<li class="comment">Erster <b>Kommentar</b></li>'),
    "post_url": "/runden/r/vorschlaege/17/kommentieren/?x=1&y=2",
    "comment_form": mark_safe('<div class="field"><textarea name="body"></textarea></div>'),
    "reason": "Kommentare sind in dieser Phase nicht möglich <bis> zum 1. & 2.",
    "comment_id": "4711",
    "author_name": 'Anna <Ä> & "Co"',
    "edit_url": "/kommentare/4711/bearbeiten/?a=1&b=2",
    "delete_url": "/kommentare/4711/loeschen/",
    "report_url": "/melden/kommentar/4711/",
    "highlight_url": "/kommentare/4711/hervorheben/",
    "meta": mark_safe('<article aria-label="Kommentar von Anna &lt;Ä&gt;"><p class="comment__meta">x</p>'),
    "anchor": "kommentar-4711",
    "body": mark_safe("<p>Ein <em>guter</em> Vorschlag &amp; mehr</p>"),
    "actions": mark_safe('<div class="comment__actions"><a href="/x/?a=1&amp;b=2">Melden</a></div>'),
    "replies": mark_safe('<li class="comment">Antwort</li>'),
    "title": 'Mehr Bänke & "Schatten" <im Park>',
    "reference": "BH2019-0042",
    "created_iso": "2019-03-04T10:00:00+01:00",
    "created": "4. März 2019",
    "original_title": "bänke!!! <sofort>",
    "state": "Zusammengeführt",
    "merged_url": "/runden/r/vorschlaege/3/?a=1&b=2",
    "merged_reference": "BH2019-0003",
    "merged_title": "Bänke & Tische",
    "hidden_reason": "Beleidigung <gelöscht>",
    "description": mark_safe("<p>Lang &amp; <strong>breit</strong></p>"),
    "direction": "Mehr Geld ausgeben",
    "topic": "Grün & Umwelt",
    "timeline": mark_safe('<section id="zeitleiste">Schritte</section>'),
    "image_url": "/media/vorschlaege/bank.webp?v=1&w=2",
    "image_alt": 'Eine "Bank" <aus Holz>',
    "image_caption": "Bank am See & Weg",
    "image_credit": "Foto: A. <Muster>",
    "district": "Altstadt & Hafen",
    "amount": "700.000 €",
    "period": "pro Jahr",
    "cost_note": "ca. 700.000 Euro/Jahr <geschätzt>",
    "steps": mark_safe('<li class="timeline__step">Eingereicht &amp; geprüft</li>'),
    "kind": "answered",
    "date_iso": "2019-05-01",
    "date": "Mai 2019",
    "url": "/ratsinfo/vorlage?id=1&x=<2>",
    "detail": "Rang 3 & <mehr>",
    "progress": "40",
    "answer_text": mark_safe("<p>Die Verwaltung &amp; <em>der Rat</em></p>"),
    "answer_cost": "12.000 €",
    "answer_period": "einmalig",
    "latitude": "47,99",
    "longitude": "7,84",
}
SAFE = (
    "support_label",
    "heading",
    "highlighted",
    "roots",
    "comment_form",
    "meta",
    "body",
    "actions",
    "replies",
)
OTHER = {k: (mark_safe(f"{v}-2") if k in SAFE else f"{v}-2") for k, v in AWKWARD.items()}  # noqa: S308
OTHER["support_label"] = mark_safe("Vorschlag unterstützen (1 Unterstützung)")


def rating_kinds():
    values_of = {"support": (), "pro_contra": (), "scale": (-2, -1, 0, 1, 2), "points": (0, 1, 2, 3)}
    owns = {"support": (None, 1), "pro_contra": (None, 1, -1), "scale": (None, -2, 2), "points": (None, 3)}
    for mode, can_rate, signed_in, hidden, htmx, status in itertools.product(
        values_of, (True, False), (True, False), (True, False), (True, False), (True, False)
    ):
        for own in owns[mode]:
            yield {
                "mode": mode,
                "can_rate": can_rate,
                "signed_in": signed_in,
                "published": True,
                "own_value": own,
                "counts_hidden": hidden,
                "values": values_of[mode],
                "points": mode == "points",
                "htmx": htmx,
                "status": status,
                "refused": status and not can_rate,
            }


def flag_kinds(*names):
    """Every combination of these yes/no kinds."""
    for flags in itertools.product((True, False), repeat=len(names)):
        yield dict(zip(names, flags, strict=True))


def follow_kinds():
    return flag_kinds("signed_in", "published", "following", "swapped", "status")


RATING_VALUES = [
    "pk",
    "rate_url",
    "next_path",
    "csrf_token",
    "support_label",
    "pro_count",
    "contra_count",
    "points_left",
    "points_total",
    "summary",
    "login_url",
    "status_message",
]


def thread_kinds():
    return flag_kinds("has_highlighted", "can_comment", "signed_in", "has_roots", "status", "refused")


def action_kinds():
    return flag_kinds("reply", "edit", "delete", "report", "highlight", "highlighted", "can_be_official")


def comment_kinds():
    return flag_kinds("official", "nested", "deleted", "hidden", "show_reason", "has_replies")


COMMENT_VALUES = ["meta", "anchor", "reason", "body", "actions", "replies"]


def head_kinds():
    return flag_kinds("edited_title", "published", "merged", "has_hidden_reason")


HEAD_VALUES = [
    "title",
    "reference",
    "author_name",
    "created_iso",
    "created",
    "original_title",
    "state",
    "merged_url",
    "merged_reference",
    "merged_title",
    "hidden_reason",
]
BODY_FLAGS = ("image", "caption", "credit", "district", "costs", "amount", "period", "note", "place")


def body_kinds():
    return flag_kinds(*(f"has_{name}" for name in BODY_FLAGS))


STEP_FLAGS = (
    "dated",
    "status",
    "linked",
    "has_detail",
    "has_progress",
    "has_answer",
    "answer_cost",
    "answer_period",
    "unpublished",
)


def step_kinds():
    return flag_kinds(*STEP_FLAGS)


STEP_VALUES = [
    "kind",
    "title",
    "date_iso",
    "date",
    "url",
    "detail",
    "progress",
    "answer_text",
    "answer_cost",
    "answer_period",
]
BODY_VALUES = [
    "summary",
    "description",
    "direction",
    "topic",
    "timeline",
    "image_url",
    "image_alt",
    "image_caption",
    "image_credit",
    "district",
    "amount",
    "period",
    "cost_note",
    "latitude",
    "longitude",
]
ACTION_VALUES = [
    "comment_id",
    "author_name",
    "post_url",
    "csrf_token",
    "edit_url",
    "delete_url",
    "report_url",
    "highlight_url",
]
THREAD_VALUES = [
    "heading",
    "highlighted",
    "roots",
    "post_url",
    "csrf_token",
    "comment_form",
    "login_url",
    "reason",
    "status_message",
]
FOLLOW_VALUES = [
    "pk",
    "follow_url",
    "next_value",
    "csrf_token",
    "settings_url",
    "login_url",
    "status_message",
]


@pytest.mark.parametrize(
    ("template", "kinds", "names"),
    [
        ("proposals/_rating.html", list(rating_kinds()), RATING_VALUES),
        ("notifications/_follow_button.html", list(follow_kinds()), FOLLOW_VALUES),
        ("comments/_thread.html", list(thread_kinds()), THREAD_VALUES),
        ("comments/_comment_actions.html", list(action_kinds()), ACTION_VALUES),
        ("comments/_comment.html", list(comment_kinds()), COMMENT_VALUES),
        ("proposals/_head.html", list(head_kinds()), HEAD_VALUES),
        ("proposals/_body.html", list(body_kinds()), BODY_VALUES),
        ("accountability/_timeline.html", [{}], ["steps"]),
        ("accountability/_timeline_step.html", list(step_kinds()), STEP_VALUES),
    ],
    ids=[
        "rating",
        "follow",
        "thread",
        "comment actions",
        "comment",
        "proposal head",
        "proposal body",
        "timeline",
        "timeline step",
    ],
)
@pytest.mark.parametrize("language", ["de", "en"])
def test_kept_piece_is_the_template_rendered_afresh(template, kinds, names, language):
    pieces._KEPT.clear()
    with override(language):
        for kind in kinds:
            for values in (AWKWARD, OTHER):  # the second from the kept rendering of the first
                page = {name: values[name] for name in names}
                fresh = get_template(template).render({**kind, **page})
                assert kept_piece(template, kind, page) == fresh, kind
    assert len(pieces._KEPT) == len(kinds)


def test_a_kept_piece_holds_no_values_of_the_page_it_was_first_rendered_for():
    pieces._KEPT.clear()
    kind = next(follow_kinds())
    first = {name: AWKWARD[name] for name in FOLLOW_VALUES}
    kept_piece("notifications/_follow_button.html", kind, first)
    (texts, names) = next(iter(pieces._KEPT.values()))
    kept = "".join(texts)
    for name in FOLLOW_VALUES:
        assert str(first[name]) not in kept
        assert conditional_escape(first[name]) not in kept
        assert (name in names) == (name != "login_url")  # a signed-in reader's button has no sign-in link


@pytest.mark.parametrize("language", ["de", "en"])
def test_kept_day_formats_read_as_djangos_formatter_writes_them(language):
    """The pages' dates come from `day_format` and `isoformat`, not the formatter: the same text in
    every language, month and format they use (and the same day formatted twice in different
    languages is not mixed up)."""
    from datetime import date, datetime, timedelta

    from django.utils import formats, timezone, translation

    from allmende.ops.pieces import day_format

    for offset in range(0, 400, 13):
        day = date(2027, 1, 1) + timedelta(days=offset)
        moment = timezone.localtime(timezone.make_aware(datetime(day.year, day.month, day.day, 23, 30)))
        with translation.override(language):
            for name in ("DATE_FORMAT", "F Y"):
                assert day_format(day, name) == formats.date_format(day, name)
            assert moment.isoformat() == formats.date_format(moment, "c")
            assert day.isoformat() == formats.date_format(day, "Y-m-d")
    with translation.override("de"):
        german = day_format(date(2027, 3, 1), "F Y")
    with translation.override("en"):
        assert day_format(date(2027, 3, 1), "F Y") != german == "März 2027"
