from django.contrib import admin

from .models import Faction


@admin.register(Faction)
class FactionAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name")
