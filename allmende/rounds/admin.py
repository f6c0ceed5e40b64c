from django.contrib import admin

from .models import Phase, Round


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "created_at")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [PhaseInline]
