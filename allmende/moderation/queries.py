from django.db.models import Count, Max, Q

from allmende.comments.models import Comment
from allmende.proposals.models import Proposal

from .models import AuditEntry, Merge


def queue(kind="", round_slug="", show="open"):
    """Items that need a moderator: reported proposals and comments (with counts), and proposals waiting
    for approval. A constant number of queries."""
    open_filter = Q(reports__resolved_at__isnull=True) if show == "open" else Q()
    proposals = Proposal.objects.none()
    comments = Comment.objects.none()
    if kind in ("", "proposal"):
        proposals = (
            Proposal.objects.filter(reports__isnull=False)
            .annotate(
                open_reports=Count("reports", filter=open_filter), last_report=Max("reports__created_at")
            )
            .filter(open_reports__gt=0)
            .select_related("round", "author")
            .order_by("-last_report")
        )
    if kind in ("", "comment"):
        comments = (
            Comment.objects.filter(reports__isnull=False)
            .annotate(
                open_reports=Count("reports", filter=open_filter), last_report=Max("reports__created_at")
            )
            .filter(open_reports__gt=0)
            .select_related("proposal__round", "author")
            .order_by("-last_report")
        )
    pending = Proposal.objects.filter(state=Proposal.State.PENDING).select_related("round", "author")
    if round_slug:
        proposals = proposals.filter(round__slug=round_slug)
        comments = comments.filter(proposal__round__slug=round_slug)
        pending = pending.filter(round__slug=round_slug)
    return {
        "proposals": list(proposals.prefetch_related("reports")[:100]),
        "comments": list(comments.prefetch_related("reports")[:100]),
        "pending": list(pending.order_by("created_at")[:100]),
    }


def open_merges(proposal):
    return Merge.objects.filter(
        Q(source=proposal) | Q(target=proposal), undone_at__isnull=True
    ).select_related("source__round", "target__round")


def audit_log(limit=200):
    return AuditEntry.objects.select_related("proposal__round", "comment", "target_user")[:limit]
