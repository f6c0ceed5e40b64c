"""Every change of state in the accountability app: plain functions `(actor, …)`, one transaction
each, permission checked inside.

The OParl import writes papers through `allmende.accountability.oparl`, which keeps its own
transaction per page.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from allmende.moderation.services import _audit
from allmende.notifications import services as notifications
from allmende.proposals.models import Proposal
from allmende.rounds.models import Phase
from allmende.rounds.permissions import (
    ActionRefused,
    can_answer,
    can_link_papers,
    can_manage_answer_states,
    can_manage_council,
    can_manage_factions_and_papers,
)

from .models import (
    DEFAULT_ANSWER_STATES,
    Answer,
    AnswerState,
    BudgetLine,
    CostPeriod,
    CouncilPaper,
    Decision,
    Faction,
    Milestone,
    Motion,
    ProposalPaper,
    Retrospective,
    SelectedProposal,
    Selection,
    SelectionRule,
)
from .queries import answer_states, normalise_reference, papers_by_reference, selection_order

NOTE_MAX_LENGTH = ProposalPaper._meta.get_field("note").max_length


def link_paper(actor, proposal, reference: str, note: str = "") -> ProposalPaper:
    """Link `proposal` to the council paper with this reference (trimmed, ignoring case)."""
    if not can_link_papers(actor):
        raise ActionRefused(_("Only administration staff and process managers can link council papers."))
    reference = normalise_reference(reference)
    if not reference:
        raise ActionRefused(_("Please enter the reference of the council paper, for example G-17/184."))
    papers = list(papers_by_reference(reference)[:2])
    if not papers:
        raise ActionRefused(
            _("There is no council paper with the reference “%(reference)s”.") % {"reference": reference}
        )
    if len(papers) > 1:
        raise ActionRefused(
            _("Several council papers have the reference “%(reference)s”; please link it in the admin.")
            % {"reference": reference}
        )
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ActionRefused(_("The note can have at most %(count)d characters.") % {"count": NOTE_MAX_LENGTH})
    paper = papers[0]
    already = _("The council paper “%(reference)s” is already linked to this proposal.") % {
        "reference": paper.reference
    }
    if ProposalPaper.objects.filter(proposal=proposal, paper=paper).exists():
        raise ActionRefused(already)
    try:
        with transaction.atomic():
            return ProposalPaper.objects.create(proposal=proposal, paper=paper, note=note, created_by=actor)
    except IntegrityError:  # the same link made at the same moment in another request
        raise ActionRefused(already) from None


# --- helpers -------------------------------------------------------------------------------------


def _require(allowed: bool, message):
    if not allowed:
        raise ActionRefused(message)


def _require_answerer(actor):
    _require(can_answer(actor), _("Only administration staff can write and publish answers."))


def _require_manager(actor):
    """Process managers act here; `actor=None` is the system (a management command run by the operator)."""
    if actor is not None:
        _require(can_manage_council(actor), _("Only process managers can do that."))


def _non_negative(cents, label):
    if cents is not None and cents < 0:
        raise ActionRefused(_("%(field)s cannot be negative.") % {"field": label})
    return cents


def _paper(reference):
    """The council paper with this reference, or None for an empty reference."""
    reference = normalise_reference(reference)
    if not reference:
        return None
    papers = list(papers_by_reference(reference)[:2])
    if len(papers) != 1:
        raise ActionRefused(
            _("There is no council paper with the reference “%(reference)s”.") % {"reference": reference}
        )
    return papers[0]


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


# --- the round's list of answer states ------------------------------------------------------------


def create_default_answer_states(round_) -> list[AnswerState]:
    """Give a round the default list of answer states, labelled in the site's language; a round that
    has a list keeps it."""
    with transaction.atomic():
        existing = list(AnswerState.objects.select_for_update().filter(round=round_))
        if existing:
            return existing
        with translation.override(settings.LANGUAGE_CODE):
            return AnswerState.objects.bulk_create(
                AnswerState(
                    round=round_, code=code, label=str(label), requires_reason=reason, position=position
                )
                for position, (code, label, reason) in enumerate(DEFAULT_ANSWER_STATES, start=1)
            )


def _clean_answer_state(code, label):
    code = (code or "").strip().lower()
    label = (label or "").strip()
    if not code or not label:
        raise ActionRefused(_("An assessment needs a code and a label."))
    if len(code) > 40 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
        raise ActionRefused(_("The code may only contain letters, digits, hyphens and underscores."))
    if len(label) > 100:
        raise ActionRefused(_("The label can have at most %(count)d characters.") % {"count": 100})
    return code, label


def save_answer_state(
    actor, round_, state=None, *, code, label, requires_reason=False, position=0
) -> AnswerState:
    """Add an entry to the round's list of answer states, or change one. Where a reason becomes
    required, every answer with this state must have one already (the answers follow the rule)."""
    _require(can_manage_answer_states(actor), _("Only process managers can change the list of assessments."))
    code, label = _clean_answer_state(code, label)
    if state is not None and state.round_id != round_.pk:
        raise ActionRefused(_("This assessment belongs to another round."))
    taken = AnswerState.objects.filter(round=round_).exclude(pk=getattr(state, "pk", None))
    if taken.filter(code=code).exists():
        raise ActionRefused(
            _("The round already has an assessment with the code “%(code)s”.") % {"code": code}
        )
    if taken.filter(label__iexact=label).exists():
        raise ActionRefused(_("The round already has an assessment labelled “%(label)s”.") % {"label": label})
    try:
        with transaction.atomic():
            if state is None:
                state = AnswerState(round=round_)
            else:
                state = AnswerState.objects.select_for_update().get(pk=state.pk)
            state.code, state.label, state.requires_reason, state.position = (
                code,
                label,
                bool(requires_reason),
                position or 0,
            )
            state.save()
            if state.requires_reason:
                without = Answer.objects.filter(state=state, text="")
                if without.exists():
                    raise ActionRefused(
                        _(
                            "%(count)d answers with this assessment give no reason; add one to them "
                            "before a reason becomes required."
                        )
                        % {"count": without.count()}
                    )
            Answer.objects.filter(state=state).update(reason_required=state.requires_reason)
            _audit(actor, "answer_state_saved", round=round_.slug, code=code, label=label)
    except IntegrityError:  # the same code or label saved at the same moment in another request
        raise ActionRefused(_("The round already has an assessment with this code or label.")) from None
    return state


def delete_answer_state(actor, state) -> None:
    """Remove an entry no answer uses from the round's list."""
    _require(can_manage_answer_states(actor), _("Only process managers can change the list of assessments."))
    with transaction.atomic():
        if Answer.objects.filter(state=state).exists():
            raise ActionRefused(
                _("Answers use the assessment “%(label)s”; it cannot be removed.") % {"label": state.label}
            )
        _audit(actor, "answer_state_deleted", round=state.round.slug, code=state.code)
        state.delete()


def _state_of(round_, state, states=None):
    """The round's answer state given as an AnswerState, its code or its label (ignoring case)."""
    if isinstance(state, AnswerState):
        return state if state.round_id == round_.pk else None
    key = (state or "").strip().lower()
    for candidate in answer_states(round_) if states is None else states:
        if key in (candidate.code, candidate.label.lower()):
            return candidate
    return None


# --- answers -------------------------------------------------------------------------------------


def _reason_missing(state):
    return _("Please give the reason for the assessment “%(state)s”.") % {"state": state.label}


def _clean_answer(round_, state, text, cost_cents, cost_period):
    state = _state_of(round_, state)
    if state is None:
        raise ActionRefused(_("Please choose an assessment."))
    text = (text or "").strip()
    if state.requires_reason and not text:
        raise ActionRefused(_reason_missing(state))
    _non_negative(cost_cents, _("The estimated costs"))
    if cost_period and cost_period not in CostPeriod.values:
        raise ActionRefused(_("Please choose whether the costs arise once or per year."))
    return state, text


def save_answer(
    actor,
    proposal,
    *,
    state,
    text="",
    cost_cents=None,
    cost_period="",
    office="",
    answered_on=None,
    publish_on=None,
) -> Answer:
    """Write or change the answer to `proposal`; `state` is one of the round's answer states (or its
    code or label). A new answer is prepared unpublished; a published answer stays published with the
    new text."""
    _require_answerer(actor)
    state, text = _clean_answer(proposal.round, state, text, cost_cents, cost_period)
    with transaction.atomic():
        answer = Answer.objects.select_for_update().filter(proposal=proposal).first()
        created = answer is None
        if created:
            answer = Answer(proposal=proposal)
        answer.state = state
        answer.reason_required = state.requires_reason
        answer.text = text
        answer.cost_cents = cost_cents
        answer.cost_period = cost_period or ""
        answer.office = (office or "").strip()
        answer.answered_on = answered_on or answer.answered_on or timezone.localdate()
        answer.publish_on = publish_on
        answer.author = actor
        try:
            with transaction.atomic():
                answer.save()
        except IntegrityError:  # answered at the same moment elsewhere, or its state changed rule
            raise ActionRefused(_("This proposal has just been answered by someone else.")) from None
        _audit(actor, "answer_saved", proposal=proposal, state=state.code, created=created)
    return answer


def _publish(actor, answers, now):
    published = []
    for answer in answers:
        answer.published = True
        answer.published_at = now
        answer.save(update_fields=["published", "published_at", "updated_at"])
        _audit(actor, "answer_published", proposal=answer.proposal, state=answer.state.code)
        notifications.notify(
            notifications.ANSWERED,
            answer.proposal,
            actor=_actor(actor),
            extra={"excerpt": answer.text, "state": answer.get_state_display()},
        )
        published.append(answer)
    return published


def publish_answers(actor, round_, now=None) -> list[Answer]:
    """Publish every prepared answer of the round together; followers are told."""
    _require_answerer(actor)
    now = now or timezone.now()
    with transaction.atomic():
        answers = list(
            Answer.objects.select_for_update()
            .filter(proposal__round=round_, published=False)
            .select_related("proposal__round", "state")
        )
        return _publish(actor, answers, now)


def publish_due_answers(now=None) -> list[Answer]:
    """The scheduled run (`manage.py publish_answers`): publish prepared answers whose day has come."""
    now = now or timezone.now()
    with transaction.atomic():
        answers = list(
            Answer.objects.select_for_update()
            .filter(published=False, publish_on__lte=timezone.localdate(now))
            .select_related("proposal__round", "state")
        )
        return _publish(None, answers, now)


# --- CSV import of answers -------------------------------------------------------------------------

ANSWER_COLUMNS = {
    "number": ("number", "nummer", "nr"),
    "state": ("state", "einschätzung", "einschaetzung", "bewertung", "status"),
    "text": ("text", "stellungnahme"),
    "cost": ("cost", "kosten"),
    "cost_period": ("cost_period", "zeitraum", "kostenzeitraum"),
    "office": ("office", "amt", "zuständig"),
    "date": ("date", "datum"),
}
PERIOD_WORDS = {
    "": "",
    "once": CostPeriod.ONCE,
    "einmalig": CostPeriod.ONCE,
    "yearly": CostPeriod.YEARLY,
    "per year": CostPeriod.YEARLY,
    "jährlich": CostPeriod.YEARLY,
    "pro jahr": CostPeriod.YEARLY,
}


class ImportFailed(Exception):
    """The import wrote nothing; `errors` name each problem by line and column."""

    def __init__(self, errors):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class _Row:
    line: int
    proposal: Proposal
    data: dict


def parse_euros(text: str) -> int | None:
    """ "700.000", "700000,50", "1234.5" → cents; "" → None; raises ValueError otherwise."""
    text = (text or "").strip().replace("€", "").replace("EUR", "").replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1 or (text.count(".") == 1 and len(text.split(".")[1]) == 3):
        text = text.replace(".", "")
    euros, _dot, cents = text.partition(".")
    if not euros.isdigit() or (cents and (not cents.isdigit() or len(cents) > 2)):
        raise ValueError(text)
    return int(euros) * 100 + int((cents or "0").ljust(2, "0"))


def _parse_date(text):
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _line_error(line, column, message):
    return _("Line %(line)d, column “%(column)s”: %(message)s") % {
        "line": line,
        "column": column,
        "message": message,
    }


def import_answers(actor, round_, content: str | bytes) -> list[Answer]:
    """Import prepared answers from CSV (";" or "," separated, UTF-8, header line first): all rows or
    none. Raises ImportFailed with every problem named by line and column."""
    _require_answerer(actor)
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportFailed([_("The file is not UTF-8 encoded text.")]) from None
    content = content.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(content.split("\n", 1)[0], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";"
    reader = csv.reader(io.StringIO(content), dialect)
    header = next(reader, None)
    if not header:
        raise ImportFailed([_("The file is empty.")])
    names = [h.strip().lower() for h in header]
    index = {}
    for key, aliases in ANSWER_COLUMNS.items():
        for position, name in enumerate(names):
            if name in aliases:
                index[key] = position
    errors = [
        _line_error(1, key, _("this column is missing.")) for key in ("number", "state") if key not in index
    ]
    if errors:
        raise ImportFailed(errors)
    proposals = {p.number: p for p in Proposal.objects.filter(round=round_)}
    states = answer_states(round_)
    rows, seen = [], {}
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue

        def cell(key, values=values):
            position = index.get(key)
            return values[position].strip() if position is not None and position < len(values) else ""

        row_errors = []
        data = {}
        number = cell("number")
        proposal = None
        if not number.isdigit():
            row_errors.append(_line_error(line, header[index["number"]], _("not a proposal number.")))
        else:
            proposal = proposals.get(int(number))
            if proposal is None:
                row_errors.append(
                    _line_error(line, header[index["number"]], _("there is no proposal with this number."))
                )
            elif int(number) in seen:
                row_errors.append(
                    _line_error(
                        line,
                        header[index["number"]],
                        _("the proposal is answered already in line %(line)d.") % {"line": seen[int(number)]},
                    )
                )
            else:
                seen[int(number)] = line
        state = _state_of(round_, cell("state"), states)
        if state is None:
            row_errors.append(_line_error(line, header[index["state"]], _("unknown assessment.")))
        data["state"] = state
        data["text"] = cell("text")
        if state is not None and state.requires_reason and not data["text"]:
            column = header[index["text"]] if "text" in index else "text"
            row_errors.append(
                _line_error(line, column, _("a reason is required for “%(state)s”.") % {"state": state.label})
            )
        try:
            data["cost_cents"] = parse_euros(cell("cost"))
        except ValueError:
            row_errors.append(_line_error(line, header[index["cost"]], _("not an amount in euros.")))
        period = cell("cost_period").lower()
        if period not in PERIOD_WORDS:
            row_errors.append(_line_error(line, header[index["cost_period"]], _("use “once” or “yearly”.")))
        data["cost_period"] = PERIOD_WORDS.get(period, "")
        data["office"] = cell("office")[:200]
        data["answered_on"] = None
        if cell("date"):
            try:
                data["answered_on"] = _parse_date(cell("date"))
            except ValueError:
                row_errors.append(_line_error(line, header[index["date"]], _("not a date (YYYY-MM-DD).")))
        errors.extend(row_errors)
        if not row_errors:
            rows.append(_Row(line, proposal, data))
    if errors:
        raise ImportFailed(errors)
    if not rows:
        raise ImportFailed([_("The file has no answers.")])
    with transaction.atomic():
        answers = [save_answer(actor, row.proposal, **row.data) for row in rows]
        _audit(actor, "answers_imported", round=round_.slug, count=len(answers))
    return answers


# --- council: motions, decisions, budget lines -------------------------------------------------------


def _notify_state(actor, proposal, state):
    notifications.notify(
        notifications.STATE_CHANGED, proposal, actor=_actor(actor), extra={"state": str(state)}
    )


def ensure_budget_line(
    actor, *, year, code, name, amount_cents=0, level=BudgetLine.Level.PRODUCT
) -> BudgetLine:
    _require_manager(actor)
    _non_negative(amount_cents, _("The amount"))
    with transaction.atomic():
        line, _created = BudgetLine.objects.update_or_create(
            year=year,
            code=code.strip(),
            defaults={"name": name.strip(), "amount_cents": amount_cents, "level": level},
        )
        _audit(actor, "budget_line_saved", code=line.code, year=year)
    return line


def _require_place_for_money(outcome, amount_granted_cents, has_budget_line, grant_recipient):
    """The rule of `Decision.money_errors` (which the admin applies too), as a refusal."""
    errors = Decision.money_errors(
        outcome=outcome,
        amount_granted_cents=amount_granted_cents,
        has_budget_line=has_budget_line,
        grant_recipient=grant_recipient,
    )
    if errors:
        raise ActionRefused(next(iter(errors.values())))


def record_motion(
    actor, round_, *, faction, number, title, date, paper_reference="", amount_asked_cents=0, proposals=()
) -> Motion:
    """Record a faction's amendment motion (or update it: one motion per number, faction and round) and
    the proposals it takes up. The followers of each newly taken-up proposal are told."""
    _require_manager(actor)
    _non_negative(amount_asked_cents, _("The amount asked"))
    number = (number or "").strip()
    if not number or not (title or "").strip():
        raise ActionRefused(_("A motion needs a number and a title."))
    paper = _paper(paper_reference)
    with transaction.atomic():
        motion, _created = Motion.objects.update_or_create(
            round=round_,
            faction=faction,
            number=number,
            defaults={
                "title": title.strip(),
                "date": date,
                "paper": paper,
                "amount_asked_cents": amount_asked_cents,
            },
        )
        already = set(motion.proposals.values_list("pk", flat=True))
        for proposal in proposals:
            if proposal.round_id != round_.pk:
                raise ActionRefused(_("A motion can only take up proposals of its own round."))
            if proposal.pk in already:
                continue
            motion.proposals.add(proposal)
            _audit(actor, "motion_takes_up", proposal=proposal, motion=str(motion))
            _notify_state(
                actor,
                proposal,
                _("Taken up by %(faction)s in motion %(number)s") % {"faction": faction, "number": number},
            )
        _audit(actor, "motion_saved", motion=str(motion), round=round_.slug)
    return motion


def record_decision(
    actor,
    motion,
    *,
    outcome,
    date,
    paper_reference="",
    amount_granted_cents=0,
    budget_line=None,
    grant_recipient="",
) -> Decision:
    """Record the council's decision on a motion and where the money sits; followers are told."""
    _require_manager(actor)
    if outcome not in Decision.Outcome.values:
        raise ActionRefused(_("Please choose the outcome."))
    grant_recipient = (grant_recipient or "").strip()
    _require_place_for_money(outcome, amount_granted_cents, budget_line is not None, grant_recipient)
    paper = _paper(paper_reference)
    with transaction.atomic():
        decision, _created = Decision.objects.update_or_create(
            motion=motion,
            defaults={
                "outcome": outcome,
                "date": date,
                "paper": paper,
                "amount_granted_cents": amount_granted_cents or 0,
                "budget_line": budget_line,
                "grant_recipient": grant_recipient,
            },
        )
        label = _("Council decision: %(outcome)s") % {"outcome": decision.get_outcome_display()}
        for proposal in motion.proposals.select_related("round"):
            _audit(actor, "decision_saved", proposal=proposal, outcome=outcome, motion=str(motion))
            _notify_state(actor, proposal, label)
    return decision


def save_motion(
    actor,
    round_,
    motion=None,
    *,
    faction,
    number,
    title,
    date,
    paper_reference="",
    amount_asked_cents=0,
    proposals=(),
) -> Motion:
    """Record a new amendment motion (`motion=None`) or change one, with exactly these proposals taken
    up. Followers of each proposal the motion newly takes up are told, as with `record_motion`."""
    _require_manager(actor)
    _non_negative(amount_asked_cents, _("The amount asked"))
    number = (number or "").strip()
    title = (title or "").strip()
    if not number or not title:
        raise ActionRefused(_("A motion needs a number and a title."))
    if motion is not None and motion.round_id != round_.pk:
        raise ActionRefused(_("This motion belongs to another round."))
    for proposal in proposals:
        if proposal.round_id != round_.pk:
            raise ActionRefused(_("A motion can only take up proposals of its own round."))
    paper = _paper(paper_reference)
    taken = _("%(faction)s already has a motion with the number %(number)s in this round.") % {
        "faction": faction,
        "number": number,
    }
    clash = Motion.objects.filter(round=round_, faction=faction, number=number)
    if motion is not None:
        clash = clash.exclude(pk=motion.pk)
    if clash.exists():
        raise ActionRefused(taken)
    try:
        with transaction.atomic():
            if motion is None:
                motion = Motion(round=round_)
            else:
                motion = Motion.objects.select_for_update().get(pk=motion.pk)
            motion.faction, motion.number, motion.title, motion.date = faction, number, title, date
            motion.paper, motion.amount_asked_cents = paper, amount_asked_cents or 0
            with transaction.atomic():
                motion.save()
            before = set(motion.proposals.values_list("pk", flat=True))
            wanted = {proposal.pk: proposal for proposal in proposals}
            dropped = before - set(wanted)
            if dropped:
                motion.proposals.remove(*dropped)
                for proposal in Proposal.objects.filter(pk__in=dropped):
                    _audit(actor, "motion_drops", proposal=proposal, motion=str(motion))
            for pk, proposal in wanted.items():
                if pk in before:
                    continue
                motion.proposals.add(proposal)
                _audit(actor, "motion_takes_up", proposal=proposal, motion=str(motion))
                _notify_state(
                    actor,
                    proposal,
                    _("Taken up by %(faction)s in motion %(number)s")
                    % {"faction": faction, "number": number},
                )
            _audit(actor, "motion_saved", motion=str(motion), round=round_.slug)
    except IntegrityError:  # the same number saved at the same moment in another request
        raise ActionRefused(taken) from None
    return motion


def decide_motion(
    actor,
    motion,
    *,
    outcome,
    date,
    paper_reference="",
    amount_granted_cents=0,
    budget_line=None,
    grant_recipient="",
) -> Decision:
    """Record the decision on a motion together with the budget line the money sits in, in one
    transaction: `budget_line` is None or a dict (year, level, code, name, amount_cents) for
    `ensure_budget_line`. Money granted must sit somewhere: in a budget line or on the grants list."""
    _require_manager(actor)
    if outcome not in Decision.Outcome.values:
        raise ActionRefused(_("Please choose the outcome."))
    grant_recipient = (grant_recipient or "").strip()
    _require_place_for_money(outcome, amount_granted_cents, bool(budget_line), grant_recipient)
    with transaction.atomic():
        line = ensure_budget_line(actor, **budget_line) if budget_line else None
        return record_decision(
            actor,
            motion,
            outcome=outcome,
            date=date,
            paper_reference=paper_reference,
            amount_granted_cents=amount_granted_cents,
            budget_line=line,
            grant_recipient=grant_recipient,
        )


# --- factions and council papers entered by hand ----------------------------------------------------


def _require_records_keeper(actor):
    _require(
        can_manage_factions_and_papers(actor),
        _("Only process managers can keep the factions and council papers."),
    )


def save_faction(actor, faction=None, *, name, short_name="") -> Faction:
    """Add a council faction (`faction=None`) or change its name and short name."""
    _require_records_keeper(actor)
    name = " ".join((name or "").split())
    short_name = " ".join((short_name or "").split())
    if not name:
        raise ActionRefused(_("Please give the faction's name."))
    if len(name) > 200 or len(short_name) > 40:
        raise ActionRefused(_("The name can have at most 200 characters, the short name at most 40."))
    taken = _("There is already a faction named “%(name)s”.") % {"name": name}
    others = Faction.objects.exclude(pk=getattr(faction, "pk", None)).values_list("name", flat=True)
    if any(other.casefold() == name.casefold() for other in others):  # a council has few factions
        raise ActionRefused(taken)
    try:
        with transaction.atomic():
            faction = Faction() if faction is None else Faction.objects.select_for_update().get(pk=faction.pk)
            faction.name, faction.short_name = name, short_name
            with transaction.atomic():
                faction.save()
            _audit(actor, "faction_saved", faction=name, short_name=short_name)
    except IntegrityError:  # the same name saved at the same moment in another request
        raise ActionRefused(taken) from None
    return faction


def delete_faction(actor, faction) -> None:
    """Remove a faction entered by mistake. One that filed motions stays (they name it): rename it."""
    _require_records_keeper(actor)
    with transaction.atomic():
        faction = Faction.objects.select_for_update().filter(pk=faction.pk).first()
        if faction is None:  # removed at the same moment in another request
            return
        motions = faction.motions.count()
        if motions:
            raise ActionRefused(
                ngettext(
                    "The faction “%(name)s” has filed %(count)d amendment motion, which names it: it "
                    "cannot be removed. Change its name instead if it is wrong.",
                    "The faction “%(name)s” has filed %(count)d amendment motions, which name it: it "
                    "cannot be removed. Change its name instead if it is wrong.",
                    motions,
                )
                % {"name": faction.name, "count": motions}
            )
        _audit(actor, "faction_deleted", faction=faction.name, short_name=faction.short_name)
        faction.delete()


def delete_paper(actor, paper) -> None:
    """Remove a council paper entered by hand by mistake. Papers taken over from the council information
    system are removed there (the import marks them deleted); a paper that a proposal, a motion or a
    decision refers to stays until those references are changed."""
    _require_records_keeper(actor)
    with transaction.atomic():
        paper = CouncilPaper.objects.select_for_update().filter(pk=paper.pk).first()
        if paper is None:
            return
        if paper.oparl_id:
            raise ActionRefused(imported_refusal())
        uses = [
            (paper.proposal_links.count(), _("proposals")),
            (paper.motions.count(), _("amendment motions")),
            (paper.decisions.count(), _("decisions")),
        ]
        named = [f"{label} ({count})" for count, label in uses if count]
        if named:
            raise ActionRefused(
                _(
                    "The council paper %(reference)s cannot be removed: it is referred to by %(uses)s. "
                    "Change those first."
                )
                % {"reference": paper.reference, "uses": ", ".join(named)}
            )
        _audit(actor, "paper_deleted", reference=paper.reference, title=paper.title)
        paper.delete()


PAPER_FIELDS = ("reference", "title", "date", "paper_type", "web_url", "main_file_url")


def imported_refusal():
    return _(
        "This council paper was taken over from the council information system; change it there, the "
        "next import brings the change here."
    )


def save_paper(
    actor, paper=None, *, reference, title="", date=None, paper_type="", web_url="", main_file_url=""
) -> CouncilPaper:
    """Enter a council paper by hand (`paper=None`) or change one entered by hand. Papers taken over
    from the council information system (OParl) are not changed here: the import would overwrite it.

    The reference is required and unique ignoring case among papers not deleted, so staff can link a
    proposal, a motion or a decision to it by typing it."""
    _require_records_keeper(actor)
    if paper is not None and paper.oparl_id:
        raise ActionRefused(imported_refusal())
    reference = normalise_reference(reference)
    if not reference:
        raise ActionRefused(_("Please give the reference of the council paper, for example G-17/184."))
    values = {
        "reference": reference,
        "title": (title or "").strip(),
        "date": date,
        "paper_type": (paper_type or "").strip(),
        "web_url": (web_url or "").strip(),
        "main_file_url": (main_file_url or "").strip(),
    }
    for name, value in values.items():
        limit = getattr(CouncilPaper._meta.get_field(name), "max_length", None)
        if limit and len(value) > limit:
            raise ActionRefused(
                _("%(field)s can have at most %(count)d characters.")
                % {"field": CouncilPaper._meta.get_field(name).verbose_name, "count": limit}
            )
    taken = _("There is already a council paper with the reference “%(reference)s”.") % {
        "reference": reference
    }
    clash = papers_by_reference(reference)
    if paper is not None:
        clash = clash.exclude(pk=paper.pk)
    if clash.exists():
        raise ActionRefused(taken)
    try:
        with transaction.atomic():
            if paper is None:
                paper = CouncilPaper()
            else:
                paper = CouncilPaper.objects.select_for_update().get(pk=paper.pk)
                if paper.oparl_id:  # the import took it over in the meantime
                    raise ActionRefused(imported_refusal())
            if paper.main_file_url != values["main_file_url"]:
                paper.main_file_name, paper.main_file_size, paper.main_file_mime = "", None, ""
            for name, value in values.items():
                setattr(paper, name, value)
            with transaction.atomic():
                paper.save()
            _audit(actor, "paper_saved", reference=reference, paper=paper.pk)
    except IntegrityError:  # the same reference saved at the same moment in another request
        raise ActionRefused(taken) from None
    return paper


# --- implementation and retrospective ---------------------------------------------------------------


def _clean_milestone(text, progress):
    text = (text or "").strip()
    if not text:
        raise ActionRefused(_("Please describe the milestone."))
    if progress is None or not 0 <= progress <= 100:
        raise ActionRefused(_("Progress is a percentage from 0 to 100."))
    return text


def add_milestone(actor, proposal, *, date, text, progress=0) -> Milestone:
    _require_manager(actor)
    text = _clean_milestone(text, progress)
    with transaction.atomic():
        milestone = Milestone.objects.create(proposal=proposal, date=date, text=text, progress=progress)
        _audit(actor, "milestone_added", proposal=proposal, progress=progress)
    return milestone


def change_milestone(actor, milestone, *, date, text, progress=0) -> Milestone:
    _require_manager(actor)
    text = _clean_milestone(text, progress)
    with transaction.atomic():
        milestone = (
            Milestone.objects.select_for_update().select_related("proposal__round").get(pk=milestone.pk)
        )
        milestone.date, milestone.text, milestone.progress = date, text, progress
        milestone.save()
        _audit(actor, "milestone_changed", proposal=milestone.proposal, progress=progress)
    return milestone


def delete_milestone(actor, milestone) -> None:
    """Remove a milestone (entered by mistake); the audit log keeps what it said."""
    _require_manager(actor)
    with transaction.atomic():
        milestone = (
            Milestone.objects.select_for_update()
            .select_related("proposal__round")
            .filter(pk=milestone.pk)
            .first()
        )
        if milestone is None:  # removed at the same moment in another request
            return
        _audit(
            actor,
            "milestone_deleted",
            proposal=milestone.proposal,
            date=milestone.date.isoformat(),
            text=milestone.text,
            progress=milestone.progress,
        )
        milestone.delete()


def save_retrospective(
    actor,
    proposal,
    *,
    status_date,
    is_success=False,
    implementation=Retrospective.Implementation.PLANNED,
    text="",
    costs_text="",
) -> Retrospective:
    _require_manager(actor)
    if implementation not in Retrospective.Implementation.values:
        raise ActionRefused(_("Please choose the state of implementation."))
    if status_date is None:
        raise ActionRefused(_("Please give the date of the status."))
    with transaction.atomic():
        entry, _created = Retrospective.objects.update_or_create(
            proposal=proposal,
            defaults={
                "status_date": status_date,
                "is_success": is_success,
                "implementation": implementation,
                "text": (text or "").strip(),
                "costs_text": (costs_text or "").strip(),
            },
        )
        _audit(
            actor, "retrospective_saved", proposal=proposal, success=is_success, implementation=implementation
        )
    return entry


# --- selection ------------------------------------------------------------------------------------


def configure_selection(actor, round_, *, rule, top_n=0, per_district=0, threshold=0) -> Selection:
    _require_manager(actor)
    if rule not in SelectionRule.values:
        raise ActionRefused(_("Please choose a selection rule."))
    with transaction.atomic():
        selection, _created = Selection.objects.select_for_update().get_or_create(round=round_)
        if selection.frozen_at:
            raise ActionRefused(_("The selection has been computed and frozen already."))
        selection.rule, selection.top_n, selection.per_district, selection.threshold = (
            rule,
            top_n,
            per_district,
            threshold,
        )
        selection.save()
        _audit(actor, "selection_configured", round=round_.slug, rule=rule)
    return selection


def select_due_proposals(now=None) -> tuple[list[Selection], list]:
    """The scheduled run (`manage.py select_proposals --due`): freeze the selection of every round
    whose rating phase has ended and whose process manager has chosen a rule (a Selection row exists).
    Returns the selections frozen now and the ended rounds still without a chosen rule, which the
    operator is told about instead of guessing a rule for them."""
    from allmende.rounds.models import Round

    now = now or timezone.now()
    ended = Round.objects.filter(phases__kind=Phase.Kind.RATING, phases__ends_at__lte=now).prefetch_related(
        "phases"
    )
    frozen, unconfigured = [], []
    for round_ in ended.order_by("pk"):
        selection = Selection.objects.filter(round=round_).first()
        if selection is None:
            unconfigured.append(round_)
        elif selection.frozen_at is None:
            frozen.append(select_proposals(None, round_, now=now))
    return frozen, unconfigured


def select_proposals(actor, round_, now=None) -> Selection:
    """Compute the round's selection by its rule once the rating phase has ended, and freeze it."""
    _require_manager(actor)
    now = now or timezone.now()
    rating = round_.phase(Phase.Kind.RATING)
    if rating is None or now < rating.ends_at:
        raise ActionRefused(_("The selection is computed when the rating phase has ended."))
    with transaction.atomic():
        selection, _created = Selection.objects.select_for_update().get_or_create(round=round_)
        if selection.frozen_at:
            raise ActionRefused(_("The selection has been computed and frozen already."))
        ranked = list(selection_order(round_).only("pk", "district_id", "support_count", "rank_value"))
        chosen: dict[int, bool] = {}  # proposal id -> chosen via its district
        if selection.rule == SelectionRule.ALL:
            chosen = dict.fromkeys((p.pk for p in ranked), False)
        elif selection.rule == SelectionRule.THRESHOLD:
            chosen = dict.fromkeys((p.pk for p in ranked if p.support_count >= selection.threshold), False)
        else:
            chosen = dict.fromkeys((p.pk for p in ranked[: selection.top_n]), False)
            if selection.rule == SelectionRule.TOP_N_DISTRICT:
                per_district: dict[int, int] = {}
                for proposal in ranked:
                    if proposal.district_id is None:
                        continue
                    taken = per_district.get(proposal.district_id, 0)
                    if taken >= selection.per_district:
                        continue
                    per_district[proposal.district_id] = taken + 1
                    chosen.setdefault(proposal.pk, True)
        SelectedProposal.objects.bulk_create(
            [
                SelectedProposal(
                    selection=selection,
                    proposal=proposal,
                    rank=rank,
                    support_count=proposal.support_count,
                    rank_value=proposal.rank_value,
                    via_district=chosen[proposal.pk],
                )
                for rank, proposal in enumerate(ranked, start=1)
                if proposal.pk in chosen
            ]
        )
        selection.frozen_at = now
        selection.save(update_fields=["frozen_at"])
        _audit(actor, "selection_frozen", round=round_.slug, rule=selection.rule, count=len(chosen))
    return selection
