from django.db.models import F

from allmende.ops.precompiled import ANY_ID, Precompiled

from .models import Comment

# A proposal's comments, compiled once per process: every rendering of a proposal's page asks, and most
# proposals have no comments (building the ORM query cost more than running it).
# Each with its author's name (`author_name`, None for a deleted account) from the same statement.
_COMMENTS = Precompiled(
    lambda proposal_id: (
        Comment.objects.filter(proposal_id=proposal_id)
        .annotate(author_name=F("author__username"))
        .order_by("created_at", "id")
    ),
    ANY_ID,
)


def thread(proposal):
    """The whole discussion of a proposal in one statement: highlighted official replies first, then
    the tree in order. Returns (highlighted, roots) with `children` and `author_name` set on every
    comment (its `author` is not loaded)."""
    comments = _COMMENTS.objects(proposal.pk)
    by_id = {c.pk: c for c in comments}
    for comment in comments:
        comment.children = []
    roots = []
    for comment in comments:
        parent = by_id.get(comment.parent_id)
        (parent.children if parent else roots).append(comment)
    highlighted = [c for c in comments if c.highlighted and c.is_visible]
    return highlighted, roots
