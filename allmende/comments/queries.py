from .models import Comment


def thread(proposal):
    """The whole discussion of a proposal in two queries' worth: highlighted official replies first,
    then the tree in order. Returns (highlighted, roots) with `children` set on every comment."""
    comments = list(
        Comment.objects.filter(proposal=proposal).select_related("author").order_by("created_at", "id")
    )
    by_id = {c.pk: c for c in comments}
    for comment in comments:
        comment.children = []
    roots = []
    for comment in comments:
        parent = by_id.get(comment.parent_id)
        (parent.children if parent else roots).append(comment)
    highlighted = [c for c in comments if c.highlighted and c.is_visible]
    return highlighted, roots
