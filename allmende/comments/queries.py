from django.contrib.auth import get_user_model

from allmende.ops.precompiled import ANY_ID, Precompiled

from .models import Comment

# A proposal's comments, compiled once per process: every rendering of a proposal's page asks, and most
# proposals have no comments (building the ORM query cost more than running it).
_COMMENTS = Precompiled(
    lambda proposal_id: Comment.objects.filter(proposal_id=proposal_id).order_by("created_at", "id"), ANY_ID
)


def thread(proposal):
    """The whole discussion of a proposal in two queries' worth: highlighted official replies first,
    then the tree in order. Returns (highlighted, roots) with `children` set on every comment."""
    comments = _COMMENTS.objects(proposal.pk)
    author_ids = {c.author_id for c in comments if c.author_id is not None}
    if author_ids:
        authors = get_user_model()._default_manager.in_bulk(author_ids)
        for comment in comments:
            if comment.author_id is not None:
                comment.author = authors.get(comment.author_id)
    by_id = {c.pk: c for c in comments}
    for comment in comments:
        comment.children = []
    roots = []
    for comment in comments:
        parent = by_id.get(comment.parent_id)
        (parent.children if parent else roots).append(comment)
    highlighted = [c for c in comments if c.highlighted and c.is_visible]
    return highlighted, roots
