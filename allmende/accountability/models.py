from django.db import models
from django.utils.translation import gettext_lazy as _


class Faction(models.Model):
    """A council faction (Fraktion); council members belong to one, motions are filed by one."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("faction")
        verbose_name_plural = _("factions")
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name
