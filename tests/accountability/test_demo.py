from django.apps import apps

from allmende import demo
from allmende.accountability.models import Decision, ProposalPaper, Retrospective
from allmende.proposals.models import Proposal


def counts():
    return {m.__name__: m.objects.count() for m in apps.get_app_config("accountability").get_models()}


def test_demo_reproduces_the_founding_proposal_and_is_idempotent(db):
    demo.build()
    first = counts()
    demo.build()
    assert counts() == first
    proposal = Proposal.objects.get(round__slug="bh-2017-2018", number=42)
    assert proposal.support_count == 94
    assert proposal.image and proposal.image_credit == "Foto: A.J. Schmidt"
    refs = set(ProposalPaper.objects.filter(proposal=proposal).values_list("paper__reference", flat=True))
    assert refs == {"G-17/184", "G-17/184.1"}
    entry = Retrospective.objects.get(proposal=proposal)
    assert entry.is_success and entry.status_date.year == 2018 and entry.status_date.month == 12
    assert "ca. 700.000 Euro/Jahr" in entry.costs_text
    outcomes = set(Decision.objects.values_list("outcome", flat=True))
    assert outcomes == {"adopted", "partly", "rejected"}
    assert Decision.objects.get(motion__proposals=proposal).budget_line is not None
    assert Proposal.objects.filter(answer__state__code="not_responsible").exists()
