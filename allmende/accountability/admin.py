from django.contrib import admin
from django.utils.translation import gettext as _

from allmende.moderation.services import _audit
from allmende.notifications import services as notifications

from .models import (
    Answer,
    BudgetLine,
    CouncilPaper,
    Decision,
    Faction,
    Milestone,
    Motion,
    OParlImportState,
    ProposalPaper,
    Retrospective,
    SelectedProposal,
    Selection,
)


@admin.register(Faction)
class FactionAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name")


@admin.register(CouncilPaper)
class CouncilPaperAdmin(admin.ModelAdmin):
    list_display = ("reference", "title", "date", "paper_type", "body_name", "deleted")
    list_filter = ("deleted", "body_name", "paper_type")
    search_fields = ("reference", "title")
    date_hierarchy = "date"
    readonly_fields = ("oparl_id", "modified", "created_at", "updated_at")
    # What the OParl import writes; a change here would be overwritten by the next import.
    imported_fields = (
        "reference",
        "title",
        "date",
        "paper_type",
        "web_url",
        "main_file_url",
        "main_file_name",
        "main_file_size",
        "main_file_mime",
        "body_name",
        "deleted",
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.oparl_id:
            return self.readonly_fields + self.imported_fields
        return self.readonly_fields


@admin.register(ProposalPaper)
class ProposalPaperAdmin(admin.ModelAdmin):
    list_display = ("proposal", "paper", "note", "created_by", "created_at")
    list_select_related = ("proposal__round", "paper", "created_by")
    search_fields = ("paper__reference", "proposal__title")
    raw_id_fields = ("proposal",)
    autocomplete_fields = ("paper",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(OParlImportState)
class OParlImportStateAdmin(admin.ModelAdmin):
    list_display = ("body_name", "list_url", "last_success_started_at", "next_url", "last_error_at")
    readonly_fields = (
        "list_url",
        "body_oparl_id",
        "body_name",
        "last_success_started_at",
        "pass_started_at",
        "pass_modified_since",
        "next_url",
        "pages_done",
        "last_error",
        "last_error_at",
        "updated_at",
    )


# --- motions, decisions, budget lines, milestones, retrospective (process managers) -----------------
# Saving here writes the audit log and tells followers, as the services do.


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    """Read-only overview; answers are written on the staff page (accountability:answers)."""

    list_display = ("proposal", "state", "published", "answered_on", "office")
    list_filter = ("state", "published", "proposal__round")
    list_select_related = ("proposal__round",)
    search_fields = ("proposal__title", "text")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "year", "level", "amount_cents")
    list_filter = ("year", "level")
    search_fields = ("code", "name")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit(request.user, "budget_line_saved", code=obj.code, year=obj.year)


@admin.register(Motion)
class MotionAdmin(admin.ModelAdmin):
    list_display = ("number", "faction", "title", "date", "round", "amount_asked_cents")
    list_filter = ("round", "faction")
    search_fields = ("number", "title")
    raw_id_fields = ("proposals",)
    autocomplete_fields = ("paper",)

    def save_related(self, request, form, formsets, change):
        motion = form.instance
        before = set(motion.proposals.values_list("pk", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        _audit(request.user, "motion_saved", motion=str(motion), round=motion.round.slug)
        for proposal in motion.proposals.exclude(pk__in=before).select_related("round"):
            _audit(request.user, "motion_takes_up", proposal=proposal, motion=str(motion))
            notifications.notify(
                notifications.STATE_CHANGED,
                proposal,
                actor=request.user,
                extra={
                    "state": _("Taken up by %(faction)s in motion %(number)s")
                    % {"faction": motion.faction, "number": motion.number}
                },
            )


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ("motion", "outcome", "date", "amount_granted_cents", "budget_line", "grant_recipient")
    list_filter = ("outcome",)
    list_select_related = ("motion__faction", "budget_line")
    autocomplete_fields = ("paper",)
    raw_id_fields = ("motion", "budget_line")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        label = _("Council decision: %(outcome)s") % {"outcome": obj.get_outcome_display()}
        for proposal in obj.motion.proposals.select_related("round"):
            _audit(
                request.user, "decision_saved", proposal=proposal, outcome=obj.outcome, motion=str(obj.motion)
            )
            notifications.notify(
                notifications.STATE_CHANGED, proposal, actor=request.user, extra={"state": label}
            )


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ("proposal", "date", "text", "progress")
    list_select_related = ("proposal__round",)
    raw_id_fields = ("proposal",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit(request.user, "milestone_added", proposal=obj.proposal, progress=obj.progress)


@admin.register(Retrospective)
class RetrospectiveAdmin(admin.ModelAdmin):
    list_display = ("proposal", "is_success", "implementation", "status_date")
    list_filter = ("is_success", "implementation", "proposal__round")
    list_select_related = ("proposal__round",)
    raw_id_fields = ("proposal",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit(
            request.user,
            "retrospective_saved",
            proposal=obj.proposal,
            success=obj.is_success,
            implementation=obj.implementation,
        )


class SelectedProposalInline(admin.TabularInline):
    model = SelectedProposal
    extra = 0
    can_delete = False
    readonly_fields = ("proposal", "rank", "support_count", "rank_value", "via_district")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Selection)
class SelectionAdmin(admin.ModelAdmin):
    """The process manager chooses the rule here; `manage.py select_proposals --round SLUG` computes it."""

    list_display = ("round", "rule", "top_n", "per_district", "threshold", "frozen_at")
    readonly_fields = ("frozen_at",)
    inlines = [SelectedProposalInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.frozen_at:
            return ("round", "rule", "top_n", "per_district", "threshold", "frozen_at")
        return self.readonly_fields
