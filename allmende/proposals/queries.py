"""Read side of proposals, shared by the pages and the API: a constant number of queries per page."""

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, Expression, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import SimpleLazyObject

from allmende.accountability.queries import record_flags
from allmende.accounts.backends import person
from allmende.accounts.models import User
from allmende.comments.models import Comment
from allmende.notifications.models import Follow
from allmende.ops import pagecache
from allmende.ops.precompiled import ANY_ID, ANY_NUMBER, Precompiled
from allmende.rounds import queries as round_queries
from allmende.rounds.permissions import can_view_proposal

from .models import Proposal, Support

PAGE_SIZE = 20
SORTS = ("top", "new", "comments", "random")
PUBLIC_STATES = (Proposal.State.PUBLISHED, Proposal.State.MERGED, Proposal.State.WITHDRAWN)

ORDERINGS = {
    "top": ["-rank_value", "-pro_count", "created_at", "id"],
    "new": ["-created_at", "-id"],
    "comments": ["-comment_count", "-created_at", "-id"],
}


@dataclass
class Filters:
    topic: str = ""
    district: str = ""
    direction: str = ""
    state: str = Proposal.State.PUBLISHED
    q: str = ""
    sort: str = "top"
    seed: int = 0
    page: int = 1


@dataclass
class ProposalPage:
    proposals: Sequence  # read when first iterated
    total: int
    page: int
    pages: int
    filters: Filters

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def daily_seed(identity: str, today: datetime.date | None = None) -> int:
    """A seed for the random order that stays the same for one visitor for one day."""
    today = today or datetime.date.today()
    digest = hashlib.sha256(f"{identity}:{today.isoformat()}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


class _SearchDocument(Expression):
    """The proposal's searchable text on PostgreSQL: the generated column `search_document` with its GIN
    index (migration 0005; not a model field, since SQLite has none)."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{alias}.search_document", []


def _search(queryset, text):
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config="german", search_type="websearch")
        return queryset.annotate(search=_SearchDocument()).filter(search=query)
    for word in text.split()[:8]:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word)
        )
    return queryset


def filtered(round_, filters: Filters):
    state = filters.state if filters.state in PUBLIC_STATES else Proposal.State.PUBLISHED
    queryset = Proposal.objects.filter(round=round_, state=state)
    if filters.topic:
        queryset = queryset.filter(topic__slug=filters.topic)
    if filters.district:
        queryset = queryset.filter(district__slug=filters.district)
    if filters.direction:
        queryset = queryset.filter(direction=filters.direction)
    if filters.q.strip():
        queryset = _search(queryset, filters.q.strip())
    return queryset


def _random_slice(queryset, seed, offset, limit, total):
    """The random order as a rotation of the indexed random_key order: two index range scans, no sort
    of the whole set. The seed picks the starting point and the direction."""
    spread = int.from_bytes(hashlib.sha256(str(seed).encode()).digest()[:8], "big")
    pivot = spread % (2**31)
    descending = bool(spread >> 63)
    key = "-random_key" if descending else "random_key"
    first = queryset.filter(random_key__lte=pivot) if descending else queryset.filter(random_key__gte=pivot)
    rest = queryset.filter(random_key__gt=pivot) if descending else queryset.filter(random_key__lt=pivot)
    first_count = first.count()
    items = []
    if offset < first_count:
        items = list(first.order_by(key, "id")[offset : offset + limit])
    if len(items) < limit and offset + len(items) < total:
        start = max(0, offset - first_count)
        items += list(rest.order_by(key, "id")[start : start + limit - len(items)])
    return items


# How long a list's count is kept: as long as its cards (proposals/list.html).
COUNT_SECONDS = 10


def count_key(round_slug: str, filters: Filters) -> str:
    """The cache entry of the number of proposals the list of `round_slug` finds with `filters` (the
    same for every page, order and seed)."""
    what = "\x1f".join((filters.topic, filters.district, filters.direction, filters.state, filters.q.strip()))
    return f"proposal_count:{round_slug}:{hashlib.blake2b(what.encode(), digest_size=12).hexdigest()}"


def _kept_count(queryset, key: str) -> int:
    """The list's count as kept for a few seconds, like its cards; read along with the request's first
    versions where the view named it beforehand (pagecache.read_along), else asked for here. Readers
    whose list is rendered for them (signed in) no longer count the round's proposals at every page."""
    came, total = pagecache.taken_along(key)
    if not came:
        total = cache.get(key)
    if total is None:
        total = queryset.count()
        cache.set(key, total, timeout=COUNT_SECONDS)
    return total


_TEXT = ("description", "description_html")  # the longest columns, shown on the page's pieces only


def proposal_page(round_, filters: Filters) -> ProposalPage:
    queryset = filtered(round_, filters).select_related("topic", "district", "author", "round")
    total = _kept_count(queryset, count_key(round_.slug, filters))
    queryset = queryset.defer(*_TEXT)  # the cards show the summary
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, filters.page), pages)
    offset = (page - 1) * PAGE_SIZE
    # The page's proposals are read where they are shown, not here: the list's cards are kept for a
    # few seconds (proposals/list.html), and while they are, the page needs no query for them.
    if filters.sort == "random":
        proposals = SimpleLazyObject(lambda: _random_slice(queryset, filters.seed, offset, PAGE_SIZE, total))
    else:
        ordering = ORDERINGS.get(filters.sort, ORDERINGS["top"])
        proposals = queryset.order_by(*ordering)[offset : offset + PAGE_SIZE]
    return ProposalPage(
        proposals=proposals,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
    )


_OWN_RATING = Precompiled(
    lambda user_id, proposal_id: Support.objects.filter(user_id=user_id, proposal_id=proposal_id).values_list(
        "proposal_id", "value"
    ),
    ANY_ID,
    ANY_ID + 1,
)


def own_ratings(user, proposals) -> dict[int, int]:
    """The person's own supports or ratings for these proposals: {proposal id: value}."""
    if user is None or not user.is_authenticated or not proposals:
        return {}
    if len(proposals) == 1:  # a proposal's page: the query compiled once
        return dict(_OWN_RATING.rows(user.pk, proposals[0].pk))
    rows = Support.objects.filter(user=user, proposal__in=[p.pk for p in proposals])
    return dict(rows.values_list("proposal_id", "value"))


# What a support, rating or comment changes on the proposal's row.
@dataclass
class RoundOverview:
    """What a round's page shows about its proposals: totals and the ways into the list."""

    proposals: int
    supports: int
    comments: int
    topics: list  # Topic objects with .proposal_count, in the round's order
    districts: list  # District objects with .proposal_count


def round_overview(round_) -> RoundOverview:
    """Published proposals of the round in numbers, by topic and by district (three queries)."""
    published = Q(proposals__round=round_, proposals__state=Proposal.State.PUBLISHED)
    totals = Proposal.objects.filter(round=round_, state=Proposal.State.PUBLISHED).aggregate(
        proposals=Count("id"),
        supports=Coalesce(Sum("support_count"), 0),
        comments=Coalesce(Sum("comment_count"), 0),
    )
    topics = round_.topics.annotate(proposal_count=Count("proposals", filter=published)).order_by("name")
    districts = round_.districts.annotate(proposal_count=Count("proposals", filter=published)).order_by(
        "name"
    )
    return RoundOverview(**totals, topics=list(topics), districts=list(districts))


# The toggle's lookup, compiled once per process.
_BY_NUMBER = Precompiled(
    lambda round_id, number: Proposal.objects.filter(round_id=round_id, number=number), ANY_ID, ANY_NUMBER
)


def _page_lookup(round_id, number, rater_id=None, follower_id=None, *, pieces=False):
    """The proposal's page's statement: with a signed-in reader's own rating and whether they follow
    it (`rater_id`, `follower_id`: the reader's id twice), and where its shared pieces are rendered
    (`pieces`), its author's name and whether it has comments and council records. Each is a round trip
    fewer on the page."""
    found = Proposal.objects.filter(round_id=round_id, number=number)
    if rater_id is not None:
        found = found.annotate(
            reader_value=Subquery(
                Support.objects.filter(user_id=rater_id, proposal_id=OuterRef("pk")).values("value")[:1]
            ),
            reader_follows=Exists(Follow.objects.filter(user_id=follower_id, proposal_id=OuterRef("pk"))),
        )
    if pieces:
        found = found.annotate(
            author_name=F("author__username"),
            has_comments=Exists(Comment.objects.filter(proposal_id=OuterRef("pk"))),
            **record_flags(),
        )
    return found


# The page's statements, compiled once per process: {(signed-in reader, pieces rendered): query}.
_FOR_READER = (ANY_ID + 1, ANY_ID + 2)  # the markers of the reader's id (twice)
_PAGE_LOOKUPS = {
    (False, False): _BY_NUMBER,
    (True, False): Precompiled(_page_lookup, ANY_ID, ANY_NUMBER, *_FOR_READER),
    (False, True): Precompiled(partial(_page_lookup, pieces=True), ANY_ID, ANY_NUMBER),
    (True, True): Precompiled(partial(_page_lookup, pieces=True), ANY_ID, ANY_NUMBER, *_FOR_READER),
}


def proposal_by_number(round_slug, number, *, round_=None, reader=None, pieces=False):
    """The proposal with its round and the round's phases in one go: permission checks ask the phases
    several times per request and must not query them again each time. `round_`: the kept round, if
    the caller has it already. With the kept round, a signed-in `reader` and `pieces`, the proposal
    also carries what its page needs (see `proposal_for_page`)."""
    round_ = round_ or round_queries.kept_round(round_slug, choices=False)
    if round_ is not None:
        lookup = _PAGE_LOOKUPS[reader is not None, pieces]
        if reader is not None:
            found = lookup.objects(round_.pk, number, reader.pk, reader.pk)
        else:
            found = lookup.objects(round_.pk, number)
        if not found:
            raise Http404
        found[0].round = round_
        return found[0]
    return get_object_or_404(
        Proposal.objects.select_related("round").prefetch_related("round__phases"),
        round__slug=round_slug,
        number=number,
    )


def proposal_for_page(round_slug, number, user, *, reader_state=False, pieces=False):
    """The proposal for its page, or None where `user` may not see it (rounds.permissions decides). Its
    author is loaded where the page shows it (`with_author`): the page's kept pieces often spare that.
    With `reader_state`, it also says what the page shows of the reader's own: `reader_value`, their
    support or rating (None: none), and `reader_follows`, whether they follow it (None where the
    statement could not say: without the kept round, the follow button asks itself). With `pieces` (the
    page's shared pieces are to be rendered), the same statement may bring the author's name
    (`with_author`), whether it has comments (`has_comments`) and council records (the timeline's
    `accountability.queries.record_flags`)."""
    reader = user if reader_state and user is not None and user.is_authenticated else None
    round_ = round_queries.kept_round(round_slug, choices=False)
    if round_ is not None:
        # Topic and district from the kept round: every join costs the database planning time (the
        # query with five joins took 0.8 ms to plan, 0.2 ms to run); copying only the two the page
        # shows, not all of the round's, saves a third of the round's copy. A merged proposal's
        # target, rare, is loaded when the page asks for it.
        # The proposal (and its author, `with_author`) by queries compiled once per process: building
        # the ORM query with its join at every page cost more than running both.
        proposal = proposal_by_number(round_slug, number, round_=round_, reader=reader, pieces=pieces)
        for field, kind in (("topic", "topics"), ("district", "districts")):
            pk = getattr(proposal, f"{field}_id")
            chosen = pk is not None and round_queries.kept_choice(round_slug, kind, pk)
            if chosen:
                setattr(proposal, field, chosen)
    else:
        proposal = get_object_or_404(
            Proposal.objects.select_related(
                "round", "topic", "district", "author", "merged_into__round"
            ).prefetch_related("round__phases"),
            round__slug=round_slug,
            number=number,
        )
    if reader_state and not hasattr(proposal, "reader_follows"):  # no kept round, or no one signed in
        proposal.reader_value = own_ratings(reader, [proposal]).get(proposal.pk)
        proposal.reader_follows = None  # not known: the follow button asks notifications.services
    return proposal if can_view_proposal(user, proposal) else None


def with_author(proposal):
    """`proposal` with its author loaded (by the query compiled once), unless it is already; where the
    proposal's statement brought the author's name, the author with only id and name loaded (the other
    fields deferred: they are loaded when asked for)."""
    if proposal.author_id is not None and not Proposal.author.is_cached(proposal):
        name = getattr(proposal, "author_name", None)
        if name is not None:
            proposal.author = User.from_db(connection.alias, ["id", "username"], [proposal.author_id, name])
        else:
            proposal.author = person(proposal.author_id)
    return proposal


def points_spent(user, round_) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return sum(Support.objects.filter(user=user, proposal__round=round_).values_list("value", flat=True))


STOPWORDS = {
    "der",
    "die",
    "das",
    "und",
    "oder",
    "für",
    "mehr",
    "weniger",
    "eine",
    "einen",
    "in",
    "im",
    "am",
    "an",
    "zu",
    "mit",
}


def similar(round_, text: str, exclude_pk=None, limit=5):
    """Up to `limit` public proposals of the round whose title resembles `text` (a hint before posting,
    never a block). PostgreSQL ranks by trigram similarity; elsewhere by shared words."""
    text = (text or "").strip()[:200]
    if len(text) < 4:
        return []
    queryset = Proposal.objects.filter(round=round_, state__in=PUBLIC_STATES).select_related("round")
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        return list(
            queryset.annotate(similarity=TrigramSimilarity("title", text))
            .filter(similarity__gt=0.2)
            .order_by("-similarity", "-support_count")[:limit]
        )
    words = [
        w
        for w in (word.strip(".,;:!?\"'()").lower() for word in text.split())
        if len(w) > 3 and w not in STOPWORDS
    ]
    if not words:
        return []
    match = Q()
    for word in words[:8]:
        match |= Q(title__icontains=word)
    candidates = list(queryset.filter(match)[:200])
    scored = sorted(
        candidates, key=lambda p: (-sum(word in p.title.lower() for word in words), -p.support_count, p.pk)
    )
    return scored[:limit]


def proposal_by_reference(round_, reference: str):
    """The round's proposal with this reference ("BH2027-0005", or just "5"), or None."""
    reference = (reference or "").strip().upper()
    prefix, _sep, number = reference.rpartition("-")
    if not number.isdigit() or (prefix and prefix != round_.reference_prefix.upper()):
        return None
    return Proposal.objects.filter(round=round_, number=int(number)).first()
