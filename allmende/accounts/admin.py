from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import roles
from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "is_active", "is_staff", "date_joined")
    list_filter = ("groups", "is_active", "is_staff", "faction")
    search_fields = ("username", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Contact (never shown publicly)"), {"fields": ("email",)}),
        (_("Roles"), {"fields": ("groups", "faction", "is_active", "is_staff", "is_superuser")}),
        (_("Dates"), {"fields": ("last_login", "date_joined", "accepted_rules_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ("last_login", "date_joined", "accepted_rules_at")
        # Process managers assign roles; they cannot hand out superuser rights or set passwords.
        return ("password", "is_superuser", "is_staff", "last_login", "date_joined", "accepted_rules_at")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        staff = user.is_superuser or roles.is_staff_role(user.groups.values_list("name", flat=True))
        if user.is_staff != staff:
            User.objects.filter(pk=user.pk).update(is_staff=staff)
