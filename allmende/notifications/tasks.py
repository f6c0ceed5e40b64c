"""Background tasks (Django's tasks framework; run by `manage.py db_worker`)."""

from django.contrib.auth import get_user_model
from django.tasks import task

from allmende.proposals.models import Proposal

from .mail import build_message
from .models import Follow


@task()
def send_notification(
    user_id: int, kind: str, proposal_id: int, reason: str = "", extra=None, as_author: bool = False
) -> bool:
    """Send one notification mail. Returns False, sending nothing, when it has become pointless since
    it was enqueued: the account is gone, the kind was switched off, the person stopped following."""
    from .services import wants

    user = get_user_model().objects.filter(pk=user_id, is_active=True).exclude(email="").first()
    if user is None or not wants(user, kind):
        return False
    proposal = Proposal.objects.select_related("round", "merged_into__round").filter(pk=proposal_id).first()
    if proposal is None:
        return False
    if not as_author and not Follow.objects.filter(user=user, proposal=proposal).exists():
        return False
    build_message(user, kind, proposal, reason, extra, as_author).send()
    return True
