from django.contrib import admin

from .models import Proposal


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("__str__", "round", "state", "support_count", "comment_count", "created_at")
    list_filter = ("round", "state", "topic", "direction")
    search_fields = ("title", "summary")
    readonly_fields = (
        "number",
        "author",
        "support_count",
        "pro_count",
        "contra_count",
        "score_sum",
        "rank_value",
        "comment_count",
        "created_at",
        "updated_at",
    )
    list_select_related = ("round",)
