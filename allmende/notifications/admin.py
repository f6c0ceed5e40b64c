from django.contrib import admin

from .models import Follow, NotificationSettings


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ["proposal", "user", "created_at"]
    list_select_related = ["proposal__round", "user"]
    search_fields = ["user__username", "proposal__title"]
    raw_id_fields = ["user", "proposal"]
    date_hierarchy = "created_at"


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "commented", "answered", "merged", "hidden", "state_changed", "updated_at"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
