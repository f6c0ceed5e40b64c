"""Every change to proposals and supports: plain functions `(actor, …)`, one transaction each,
permission checked inside through rounds.permissions.

Counters on the proposal row change in the same transaction as the support rows they count, by
arithmetic in the UPDATE, so a double click, two tabs or two app servers never count twice. On
PostgreSQL a support and its withdrawal are one statement (a CTE writing the row and the counters), which
is its own transaction.
"""

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allmende import markup, ratelimit
from allmende.comments.models import Comment
from allmende.ops.pagecache import proposal_scope, scoped_to_proposal
from allmende.rounds.models import Round
from allmende.rounds.permissions import Action, ActionRefused, can

from .images import ProcessedImage
from .models import Proposal, Support

Mode = Round.RatingMode
SCALE_FACTOR = 10_000  # the scale mode ranks by average × 10 000, kept as an integer


def _check(user, action, round_, proposal=None):
    decision = can(user, action, round_, proposal)
    if not decision:
        raise ActionRefused(decision.reason)


# --- ranking -------------------------------------------------------------------------------------


def _trunc_div(a: int, b: int) -> int:
    """Integer division truncating toward zero, as PostgreSQL and SQLite do."""
    if b == 0:
        return 0
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b > 0) else -quotient


def rank_value(mode: str, count: int, score: int) -> int:
    """The single number a proposal is ranked by (ties: more in favour, then older)."""
    if mode == Mode.SUPPORT:
        return count
    if mode == Mode.SCALE:
        return _trunc_div(score * SCALE_FACTOR, count)
    return score  # pro − contra, or total points


_COUNTERS = ("support_count", "score_sum", "pro_count", "contra_count", "rank_value", "comment_count")


def _rank_sql(mode, d_count, d_score):
    """SQL for the new rank value from the old columns and the changes (SQL expressions: parameters or
    a column of the statement's own CTE): what `rank_value()` computes, in the database. The scale
    mode's product is taken in 64 bits."""
    if mode == Mode.SUPPORT:
        return f"support_count + {d_count}"
    if mode == Mode.SCALE:
        return (
            f"CASE WHEN support_count + {d_count} = 0 THEN 0 "
            f"ELSE (CAST(score_sum + {d_score} AS BIGINT) * {SCALE_FACTOR}) / (support_count + {d_count}) END"
        )
    return f"score_sum + {d_score}"


def _counters_sql(mode, d_count, d_score, d_pro, d_contra, source=""):
    """The UPDATE changing a proposal's counters by the given SQL expressions (rows of `source`, e.g.
    "FROM ins", may supply them), returning the new values."""
    table = connection.ops.quote_name(Proposal._meta.db_table)
    return (
        f"UPDATE {table} SET support_count = support_count + {d_count}, "  # noqa: S608 (names from _meta)
        f"score_sum = score_sum + {d_score}, pro_count = pro_count + {d_pro}, "
        f"contra_count = contra_count + {d_contra}, rank_value = {_rank_sql(mode, d_count, d_score)} "
        f"{source} WHERE id = %(pk)s RETURNING {', '.join(_COUNTERS)}"
    )


def _set_counters(proposal, sql, params) -> bool:
    """Run a counters UPDATE and put the new values on `proposal`; False if it changed no row."""
    with connection.cursor() as cursor:
        cursor.execute(sql, {"pk": proposal.pk, **params})
        values = cursor.fetchone()
    if values is None:
        return False
    for name, value in zip(_COUNTERS, values, strict=True):
        setattr(proposal, name, value)
    proposal._counters_current = True
    return True


def _apply(proposal, d_count=0, d_score=0, d_pro=0, d_contra=0):
    """Change the proposal's counters in the transaction that writes the row they count, and put the
    new values on `proposal` (one statement, no compiling and no re-reading: the hottest write)."""
    sql = _counters_sql(proposal.round.rating_mode, "%(d_count)s", "%(d_score)s", "%(d_pro)s", "%(d_contra)s")
    _set_counters(
        proposal, sql, {"d_count": d_count, "d_score": d_score, "d_pro": d_pro, "d_contra": d_contra}
    )


def refresh_counters(proposal):
    """After rating: the counters as they are now, read again unless this request has just set them."""
    if not getattr(proposal, "_counters_current", False):
        proposal.refresh_from_db(fields=list(_COUNTERS))


def _sides(value):
    return (1 if value > 0 else 0), (1 if value < 0 else 0)


# --- supports and ratings ------------------------------------------------------------------------


def allowed_values(round_: Round) -> list[int]:
    mode = round_.rating_mode
    if mode == Mode.SUPPORT:
        return [1]
    if mode == Mode.PRO_CONTRA:
        return [1, -1]
    if mode == Mode.SCALE:
        return [2, 1, 0, -1, -2]
    return list(range(1, round_.max_points_per_proposal + 1))


@scoped_to_proposal
def rate(user, proposal: Proposal, value: int = 1) -> Support:
    """Support or rate `proposal`; a second call with another value changes the rating."""
    if not ratelimit.hit("rate", user):
        raise ActionRefused(ratelimit.MESSAGE)
    round_ = proposal.round
    _check(user, Action.SUPPORT, round_, proposal)
    if value not in allowed_values(round_):
        raise ActionRefused(_("This rating is not possible in this round."))
    if round_.rating_mode == Mode.SUPPORT:
        _support(user, proposal, value)
        return Support(user=user, proposal=proposal, value=value)
    with transaction.atomic():
        return _rate(user, proposal, round_, value)


def _support(user, proposal, value):
    """One value only: the insert alone decides whether this request counts (a second click or tab
    finds the row there and changes nothing). The busiest write of a rating phase: on PostgreSQL the
    row and the counters in one statement, without a transaction around it (three round trips fewer).
    The page cache renews the proposal's version after it (ops/pagecache.py); that an unreachable cache
    refuses the change, as a renewal inside a transaction would, `rate` ensures by counting the rate
    limit in the same cache first."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            if _insert_support(user, proposal, value):
                _apply(proposal, d_count=1, d_score=value, d_pro=1)
        return
    table = connection.ops.quote_name(Support._meta.db_table)
    sql = (
        f"WITH ins AS (INSERT INTO {table} (proposal_id, user_id, value, created_at) "  # noqa: S608 (names from _meta)
        "VALUES (%(pk)s, %(user)s, %(value)s, %(now)s) ON CONFLICT DO NOTHING RETURNING value) "
        + _counters_sql(proposal.round.rating_mode, "1", "ins.value", "1", "0", source="FROM ins")
    )
    _set_counters(proposal, sql, {"user": user.pk, "value": value, "now": timezone.now()})


def _rate(user, proposal, round_, value) -> Support:
    """A rating with a value (pro/contra, scale, points): set or changed, in the caller's transaction."""
    if round_.rating_mode == Mode.POINTS:
        # Serialise one person's point spending, so two tabs cannot overspend together.
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
    existing = Support.objects.select_for_update().filter(user=user, proposal=proposal).first()
    if round_.rating_mode == Mode.POINTS:
        spent = (
            Support.objects.filter(user=user, proposal__round=round_)
            .exclude(proposal=proposal)
            .aggregate(total=Coalesce(Sum("value"), 0))["total"]
        )
        if spent + value > round_.points_per_person:
            raise ActionRefused(
                _("You have %(left)s of %(total)s points left.")
                % {"left": round_.points_per_person - spent, "total": round_.points_per_person}
            )
    if existing is not None:
        if existing.value != value:
            old_pro, old_contra = _sides(existing.value)
            new_pro, new_contra = _sides(value)
            _apply(
                proposal,
                d_score=value - existing.value,
                d_pro=new_pro - old_pro,
                d_contra=new_contra - old_contra,
            )
            existing.value = value
            existing.save(update_fields=["value"])
        return existing
    if not _insert_support(user, proposal, value):
        # The same person's other request won the race: it counted, this one must not.
        return Support.objects.get(user=user, proposal=proposal)
    pro, contra = _sides(value)
    _apply(proposal, d_count=1, d_score=value, d_pro=pro, d_contra=contra)
    return Support(user=user, proposal=proposal, value=value)


def _insert_support(user, proposal, value) -> bool:
    """Insert the support row unless the person's other request just did (the unique constraint
    decides); True if this call inserted it. One statement instead of a savepoint around an INSERT
    that may fail: the hottest write of a rating phase needs two round trips fewer."""
    table = connection.ops.quote_name(Support._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (proposal_id, user_id, value, created_at) "  # noqa: S608 (names from _meta)
            "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [proposal.pk, user.pk, value, timezone.now()],
        )
        return cursor.rowcount == 1


@scoped_to_proposal
def unrate(user, proposal: Proposal) -> bool:
    """Take back one's support or rating. Returns whether there was one."""
    if not ratelimit.hit("rate", user):
        raise ActionRefused(ratelimit.MESSAGE)
    _check(user, Action.SUPPORT, proposal.round, proposal)
    return _withdraw(user, proposal)


def _withdraw(user, proposal) -> bool:
    """Delete the person's support or rating and change the counters; whether there was one. On
    PostgreSQL in one statement without a transaction around it, as `_support`."""
    if connection.vendor != "postgresql":
        with transaction.atomic():
            value = _delete_support(user, proposal)
            if value is None:
                return False
            pro, contra = _sides(value)
            _apply(proposal, d_count=-1, d_score=-value, d_pro=-pro, d_contra=-contra)
            return True
    table = connection.ops.quote_name(Support._meta.db_table)
    sql = (
        f"WITH del AS (DELETE FROM {table} WHERE user_id = %(user)s AND proposal_id = %(pk)s "  # noqa: S608
        "RETURNING value) "
        + _counters_sql(
            proposal.round.rating_mode,
            "-1",
            "(-del.value)",
            "(CASE WHEN del.value > 0 THEN -1 ELSE 0 END)",
            "(CASE WHEN del.value < 0 THEN -1 ELSE 0 END)",
            source="FROM del",
        )
    )
    return _set_counters(proposal, sql, {"user": user.pk})


def _delete_support(user, proposal) -> int | None:
    """Delete the person's support or rating; its value, or None if there was none. One statement
    locks and removes the row, so of two requests taking it back at once only one finds it."""
    table = connection.ops.quote_name(Support._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE user_id = %s AND proposal_id = %s RETURNING value",  # noqa: S608
            [user.pk, proposal.pk],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def release_ratings_of_deleted_user(sender, instance, **kwargs):
    """Before an account is deleted: its supports in rounds still open for rating are taken back
    (counts go down); in rounds past their rating phase the rows stay, without the person."""
    now = timezone.now()
    for support in Support.objects.filter(user=instance).select_related("proposal__round"):
        round_ = support.proposal.round
        rating = round_.phase("rating")
        if rating is None or now < rating.ends_at:
            support.delete()
            pro, contra = _sides(support.value)
            _apply(support.proposal, d_count=-1, d_score=-support.value, d_pro=-pro, d_contra=-contra)


# --- proposals -----------------------------------------------------------------------------------

EDITABLE_FIELDS = [
    "title",
    "summary",
    "description",
    "direction",
    "topic",
    "district",
    "latitude",
    "longitude",
    "cost_cents",
    "cost_period",
    "cost_note",
    "image_alt",
    "image_caption",
    "image_credit",
]


def _store_image(proposal, processed: ProcessedImage | None):
    if processed is not None:
        proposal.image.save(processed.image.name, processed.image, save=False)
        proposal.image_thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)


def _delete_files(*files):
    for field_file in files:
        if field_file:
            field_file.storage.delete(field_file.name)


def create_proposal(user, round_: Round, data: dict, image: ProcessedImage | None = None) -> Proposal:
    _check(user, Action.PROPOSE, round_)
    if not ratelimit.hit("propose", user):
        raise ActionRefused(ratelimit.MESSAGE)
    proposal = Proposal(round=round_, author=user, **{k: data.get(k) for k in EDITABLE_FIELDS if k in data})
    proposal.state = Proposal.State.PENDING if round_.premoderation else Proposal.State.PUBLISHED
    try:
        with transaction.atomic():
            # Numbers are handed out one at a time per round.
            Round.objects.select_for_update().filter(pk=round_.pk).exists()
            proposal.number = (round_.proposals.aggregate(n=Max("number"))["n"] or 0) + 1
            _store_image(proposal, image)
            proposal.full_clean()
            with proposal_scope(proposal):  # a new proposal shows on no other proposal's page
                proposal.save()
    except Exception:
        _delete_files(proposal.image, proposal.image_thumbnail)
        raise
    return proposal


def update_proposal(user, proposal: Proposal, data: dict, image: ProcessedImage | None = None) -> Proposal:
    old_files = (proposal.image.name, proposal.image_thumbnail.name) if image else ()
    try:
        with transaction.atomic():
            locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
            _check(user, Action.EDIT, locked.round, locked)
            for field in EDITABLE_FIELDS:
                if field in data:
                    setattr(locked, field, data[field])
            _store_image(locked, image)
            locked.full_clean()
            locked.save()
    except Exception:
        if image:
            _delete_files(locked.image, locked.image_thumbnail)
        raise
    storage = proposal.image.storage
    for name in old_files:
        if name:
            transaction.on_commit(lambda name=name: storage.delete(name))
    return locked


@transaction.atomic
def withdraw_proposal(user, proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    _check(user, Action.WITHDRAW, locked.round, locked)
    locked.state = Proposal.State.WITHDRAWN
    locked.save(update_fields=["state", "updated_at"])
    return locked


# --- integrity -----------------------------------------------------------------------------------


def recount(fix: bool = False, proposal_ids=None) -> list[dict]:
    """Compare proposals' counters with their rows (all, or those in `proposal_ids`); report, and with
    fix=True correct, any drift. Merges use it to settle the counts of both proposals exactly."""
    drift = []
    queryset = (
        Proposal.objects.all() if proposal_ids is None else Proposal.objects.filter(pk__in=proposal_ids)
    )
    visible_comments = (
        Comment.objects.filter(proposal=OuterRef("pk"), deleted_at__isnull=True, is_hidden=False)
        .order_by()
        .values("proposal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        queryset.select_related("round")
        .annotate(
            rows=Count("supports"),
            total=Coalesce(Sum("supports__value"), 0),
            pros=Count("supports", filter=Q(supports__value__gt=0)),
            contras=Count("supports", filter=Q(supports__value__lt=0)),
            comments_counted=Coalesce(Subquery(visible_comments), 0),
        )
        .order_by("pk")
    )
    for proposal in rows.iterator(chunk_size=2000):
        expected = {
            "support_count": proposal.rows,
            "score_sum": proposal.total,
            "pro_count": proposal.pros,
            "contra_count": proposal.contras,
            "rank_value": rank_value(proposal.round.rating_mode, proposal.rows, proposal.total),
            "comment_count": proposal.comments_counted,
        }
        actual = {field: getattr(proposal, field) for field in expected}
        if actual != expected:
            drift.append(
                {
                    "proposal": proposal.pk,
                    "reference": proposal.reference,
                    "stored": actual,
                    "counted": expected,
                }
            )
            if fix:
                Proposal.objects.filter(pk=proposal.pk).update(**expected)
    return drift


def rerender_descriptions(model=None, batch: int = 500) -> int:
    """Store the HTML of every description whose stored HTML was made of another text, by another
    version of the renderer, or not at all (allmende.markup.from_stored renders those on every page),
    in batches; the number of proposals changed."""
    model = model or Proposal
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), batch):
        rows = model.objects.filter(pk__in=ids[start : start + batch]).only(
            "pk", "description", "description_html"
        )
        stale = [row for row in rows if not markup.is_current(row.description_html, row.description)]
        for row in stale:
            row.description_html = markup.stored_markdown(row.description)
        model.objects.bulk_update(stale, ["description_html"])
        changed += len(stale)
    return changed


def export_user_data(user):
    proposals = [
        {
            "reference": p.reference,
            "title": p.title,
            "summary": p.summary,
            "description": p.description,
            "state": p.state,
            "created_at": p.created_at.isoformat(),
        }
        for p in Proposal.objects.filter(author=user).select_related("round").order_by("created_at")
    ]
    supports = [
        {"proposal": s.proposal.reference, "value": s.value, "created_at": s.created_at.isoformat()}
        for s in Support.objects.filter(user=user).select_related("proposal__round").order_by("created_at")
    ]
    return "proposals", {"proposals": proposals, "supports_and_ratings": supports}
