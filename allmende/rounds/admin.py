from django.contrib import admin

from .models import District, Phase, Round, Topic


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "rating_mode", "created_at")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("topics", "districts")
    inlines = [PhaseInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
