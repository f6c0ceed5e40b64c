"""Who may do what, when: the one place that decides (phase × action × role).

Views, templates and the API ask `can(user, action, round_, proposal)` and get a `Decision`,
which is truthy when allowed and carries the reason, in the reader's language, when not.
Nothing else in the code base decides these rules.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allmende.accounts import roles

from .models import Phase, Round


class Action(StrEnum):
    PROPOSE = "propose"
    EDIT = "edit"  # edit one's own proposal
    WITHDRAW = "withdraw"  # withdraw one's own proposal
    SUPPORT = "support"  # support or rate, and take it back
    COMMENT = "comment"
    REPORT = "report"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed


ALLOW = Decision(True)


class ActionRefused(Exception):
    """Raised by services when the actor may not do this now; the message says why, in the reader's
    language. Views show it as a message, never as a server error."""


Kind = Phase.Kind

# Which actions each phase opens. SUPPORT in the proposal phase depends on the round (see below).
PHASE_ACTIONS = {
    Kind.INFORMATION: set(),
    Kind.PROPOSALS: {Action.PROPOSE, Action.EDIT, Action.WITHDRAW, Action.COMMENT, Action.REPORT},
    Kind.RATING: {Action.SUPPORT, Action.WITHDRAW, Action.COMMENT, Action.REPORT},
    Kind.ANSWERS: {Action.COMMENT, Action.REPORT},
    Kind.COUNCIL: {Action.COMMENT, Action.REPORT},
    Kind.IMPLEMENTATION: {Action.COMMENT, Action.REPORT},
    Kind.CLOSED: set(),
}

PHASE_REFUSALS = {
    Action.PROPOSE: _("Proposals can only be posted during the proposal phase."),
    Action.EDIT: _("Proposals can only be changed during the proposal phase."),
    Action.WITHDRAW: _("Proposals can only be withdrawn while proposals are collected or rated."),
    Action.SUPPORT: _("Supporting and rating is possible only during the rating phase."),
    Action.COMMENT: _("Comments are closed in this phase."),
    Action.REPORT: _("Reports are closed in this phase."),
}


def phase_allows(round_: Round, action: Action, now=None) -> bool:
    phase = round_.current_phase(now)
    if phase is None:
        return False
    allowed = PHASE_ACTIONS[Kind(phase.kind)]
    if action == Action.SUPPORT and phase.kind == Kind.PROPOSALS and round_.support_during_proposals:
        return True
    return action in allowed


def can(user, action: Action, round_: Round, proposal=None, now=None, comment=None) -> Decision:
    """`comment`: with REPORT, a comment under `proposal` (reported, not the proposal)."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return Decision(False, _("Please sign in first."))
    if not user.is_active or getattr(user, "is_blocked", False):
        return Decision(False, _("Your account is blocked."))
    if not phase_allows(round_, action, now):
        return Decision(False, PHASE_REFUSALS[action])
    if proposal is None:
        return ALLOW
    if action == Action.REPORT and comment is not None:
        return _report_comment(user.pk, comment, proposal)
    if action in (Action.EDIT, Action.WITHDRAW):
        if proposal.author_id != user.pk:
            return Decision(False, _("Only the author can do that."))
        if not proposal.is_open:
            return Decision(False, _("This proposal can no longer be changed."))
        if action == Action.EDIT and proposal.has_ratings:
            return Decision(False, _("A proposal cannot be changed once it has been supported or rated."))
        return ALLOW
    if action in (Action.SUPPORT, Action.COMMENT) and not proposal.is_published:
        return Decision(False, _("This proposal cannot be supported or commented on."))
    if action == Action.REPORT and (proposal.author_id == user.pk or not proposal.is_published):
        return Decision(False, _("Only published proposals of others can be reported."))
    return ALLOW


def is_moderator(user) -> bool:
    """Moderators work the moderation queue: hide, merge, edit titles, block, dismiss reports."""
    return user.is_authenticated and (user.is_superuser or roles.has_role(user, roles.MODERATOR))


def official_role(user) -> str:
    """The badge a person may post an official reply under: "administration", "moderation" or ""."""
    if not user.is_authenticated:
        return ""
    if roles.has_role(user, roles.ADMINISTRATION):
        return "administration"
    if user.is_superuser or roles.has_role(user, roles.MODERATOR):
        return "moderation"
    return ""


# --- a comment's own actions (commenting itself, and reporting, are `can`'s) -------------------------

COMMENT_EDIT_WINDOW = timedelta(minutes=15)
_COMMENT_REPORT_REFUSED = Decision(False, _("Only visible comments of others can be reported."))
_COMMENT_EDIT_REFUSED = Decision(False, _("Comments can only be edited by their author within 15 minutes."))
_COMMENT_DELETE_REFUSED = Decision(False, _("Only the author can delete a comment."))


def _report_comment(user_id, comment, proposal) -> Decision:
    """Reporting a comment, once the reader and the phase allow reports: another's, while shown."""
    if comment.author_id == user_id or not comment.is_visible or not proposal.is_published:
        return _COMMENT_REPORT_REFUSED
    return ALLOW


class CommentRules:
    """What one reader may do with the comments under one proposal: decided once for the reader and
    the phase, then per comment. `can(..., comment=...)`, `can_edit_comment` and `can_delete_comment`
    decide by the same rules; a discussion's page, which asks for every comment, builds one of these
    (asking `can` for each of forty comments took a millisecond)."""

    def __init__(self, user, round_=None, proposal=None, now=None, moderator=None):
        """`round_` and `proposal` for `report`; `moderator`: `is_moderator(user)` where the caller has it."""
        self.now = now or timezone.now()
        signed_in = user.is_authenticated
        self.user_id = user.pk if signed_in else None
        self.active = signed_in and user.is_active and not getattr(user, "is_blocked", False)
        self.moderator = is_moderator(user) if moderator is None else moderator
        self.proposal = proposal
        self.reports = can(user, Action.REPORT, round_, now=self.now) if round_ is not None else None

    def sees_hidden_reason(self, comment) -> bool:
        """Why the moderation hid a comment is shown to its author and the moderators only."""
        return self.moderator or (self.user_id is not None and comment.author_id == self.user_id)

    def edit(self, comment) -> Decision:
        """Its author may correct a comment within 15 minutes of posting it, while it is shown."""
        if (
            self.active
            and comment.author_id == self.user_id
            and comment.is_visible
            and self.now - comment.created_at <= COMMENT_EDIT_WINDOW
        ):
            return ALLOW
        return _COMMENT_EDIT_REFUSED

    def delete(self, comment) -> Decision:
        """Its author may delete a comment at any time, in any phase: the text is theirs to take back."""
        if self.user_id is not None and comment.author_id == self.user_id:
            return ALLOW
        return _COMMENT_DELETE_REFUSED

    def report(self, comment) -> Decision:
        """As `can(user, Action.REPORT, round_, proposal, comment=comment)`."""
        if self.reports is None:
            raise ValueError("CommentRules made without the round decides no reports")
        if not self.reports:
            return self.reports
        return _report_comment(self.user_id, comment, self.proposal)


def can_edit_comment(user, comment, now=None) -> Decision:
    return CommentRules(user, now=now).edit(comment)


def can_delete_comment(user, comment) -> Decision:
    return CommentRules(user).delete(comment)


def can_highlight(user) -> Decision:
    """Those who post official replies put replies at the top of a discussion (or take them down)."""
    if official_role(user):
        return ALLOW
    return Decision(False, _("Only the administration and the moderation can highlight replies."))


def can_read_audit_log(user) -> bool:
    return user.is_authenticated and (user.is_superuser or roles.has_role(user, roles.PROCESS_MANAGER))


PUBLIC_STATES = ("published", "merged", "withdrawn")


def can_view_proposal(user, proposal) -> bool:
    """Published, merged and withdrawn proposals are public; pending and hidden ones only for their
    author (who finds the moderation's reason there) and the moderation."""
    if proposal.state in PUBLIC_STATES:
        return True
    if not user.is_authenticated:
        return False
    return proposal.author_id == user.pk or is_moderator(user)


def can_link_papers(user) -> bool:
    """Administration staff, process managers and superusers link proposals to council papers."""
    if not user.is_authenticated or not user.is_active:
        return False
    return (
        user.is_superuser
        or roles.has_role(user, roles.ADMINISTRATION)
        or roles.has_role(user, roles.PROCESS_MANAGER)
    )


# --- accountability: answers, council, implementation, retrospective ---------------------------------


def can_answer(user) -> bool:
    """Administration staff (and superusers) write, import and publish the answers (Stellungnahmen)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or roles.has_role(user, roles.ADMINISTRATION)


def can_manage_council(user) -> bool:
    """Process managers (and superusers) record selections, motions, decisions, budget lines, milestones
    and the retrospective."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or roles.has_role(user, roles.PROCESS_MANAGER)


def can_manage_answer_states(user) -> bool:
    """Process managers (and superusers) keep each round's list of answer states that the
    administration picks from."""
    return can_manage_council(user)


def can_manage_factions_and_papers(user) -> bool:
    """Process managers (and superusers) keep the council's factions and enter council papers by hand
    on the staff pages; papers imported over OParl are changed in the council information system."""
    return can_manage_council(user)


def can_use_staff_pages(user) -> bool:
    """The staff overview of a round (/verwaltung/<round>/) is for those who answer or manage."""
    return can_answer(user) or can_manage_council(user)


def sees_unpublished_answers(user) -> bool:
    """Prepared answers are seen only by those who write them: for anyone else a proposal's page shows
    what it shows to every reader (its kept pieces, proposals.views)."""
    return can_answer(user)


def can_view_answer(user, answer) -> bool:
    """Published answers are public; prepared ones only for those who write them."""
    return answer.published or sees_unpublished_answers(user)
