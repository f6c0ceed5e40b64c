"""The roles of the platform, kept as Django groups with permissions.

Staff give a person a role by adding them to the group in the admin. The groups and their
permissions are brought up to date after every `migrate`, so permissions of apps added later
are granted without a hand-made data migration.
"""

from django.utils.translation import gettext_lazy as _

from allmende.ops.precompiled import ANY_ID, Precompiled

RESIDENT = "resident"
MODERATOR = "moderator"
ADMINISTRATION = "administration"
COUNCIL_MEMBER = "council_member"
PROCESS_MANAGER = "process_manager"

# role key -> (label, staff access to the admin, permissions as "app_label.codename")
ROLES = {
    RESIDENT: (_("Resident"), False, []),
    MODERATOR: (_("Moderator"), True, ["accounts.view_user"]),
    ADMINISTRATION: (
        _("Administration staff"),
        True,
        [
            "accounts.view_user",
            "accountability.view_councilpaper",
            "accountability.view_proposalpaper",
            "accountability.add_proposalpaper",
            "accountability.delete_proposalpaper",
            "accountability.view_answer",
        ],
    ),
    COUNCIL_MEMBER: (_("Council member"), False, []),
    PROCESS_MANAGER: (
        _("Process manager"),
        True,
        [
            "accounts.view_user",
            "accounts.change_user",
            "pages.view_page",
            "pages.change_page",
            "pages.view_accessibilityfeedback",
            "pages.change_accessibilityfeedback",
            "rounds.add_round",
            "rounds.change_round",
            "rounds.view_round",
            "rounds.add_topic",
            "rounds.change_topic",
            "rounds.view_topic",
            "rounds.add_district",
            "rounds.change_district",
            "rounds.view_district",
            "proposals.view_proposal",
            "rounds.add_phase",
            "rounds.change_phase",
            "rounds.delete_phase",
            "rounds.view_phase",
            "accountability.view_councilpaper",
            "accountability.add_councilpaper",
            "accountability.change_councilpaper",
            "accountability.view_proposalpaper",
            "accountability.add_proposalpaper",
            "accountability.change_proposalpaper",
            "accountability.delete_proposalpaper",
            "accountability.view_oparlimportstate",
            "accountability.add_faction",
            "accountability.change_faction",
            "accountability.view_faction",
            "accountability.view_motion",
            "accountability.add_motion",
            "accountability.change_motion",
            "accountability.delete_motion",
            "accountability.view_decision",
            "accountability.add_decision",
            "accountability.change_decision",
            "accountability.delete_decision",
            "accountability.view_budgetline",
            "accountability.add_budgetline",
            "accountability.change_budgetline",
            "accountability.delete_budgetline",
            "accountability.view_milestone",
            "accountability.add_milestone",
            "accountability.change_milestone",
            "accountability.delete_milestone",
            "accountability.view_retrospective",
            "accountability.add_retrospective",
            "accountability.change_retrospective",
            "accountability.delete_retrospective",
            "accountability.view_selection",
            "accountability.add_selection",
            "accountability.change_selection",
            "accountability.delete_selection",
            "accountability.view_answer",
            "accountability.view_selectedproposal",
        ],
    ),
}


def role_label(key: str) -> str:
    return ROLES[key][0]


def _groups_of(user_id):
    from django.contrib.auth.models import Group

    return Group.objects.filter(user=user_id).values_list("name")


_GROUPS = Precompiled(_groups_of, ANY_ID)  # asked on nearly every signed-in page: compiled once


_JOINED = "\n"  # between the names of with_role_names


def with_role_names(users):
    """`users` (a queryset of people) with their roles' names joined in one column, `role_names_joined`,
    so that loading a person loads their roles (a session's person: accounts.backends); hand each
    loaded person to `remember_role_names`."""
    from django.db.models import OuterRef, StringAgg, Subquery, Value

    joined = _groups_of(OuterRef("pk")).values("user").annotate(joined=StringAgg("name", Value(_JOINED)))
    return users.annotate(role_names_joined=Subquery(joined.values("joined")))


def remember_role_names(user) -> None:
    """Keep the roles a `with_role_names` query loaded as the person's roles for this request."""
    joined = user.role_names_joined
    user._allmende_roles = frozenset(joined.split(_JOINED)) if joined else frozenset()


def role_names(user) -> frozenset[str]:
    """The person's roles, read once per request (kept on the user object)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_allmende_roles", None)
    if cached is None:
        cached = frozenset(name for (name,) in _GROUPS.rows(user.pk))
        user._allmende_roles = cached
    return cached


def has_role(user, key: str) -> bool:
    return key in role_names(user)


def is_staff_role(keys) -> bool:
    return any(ROLES[key][1] for key in keys if key in ROLES)


def sync_roles(using="default"):
    from django.contrib.auth.models import Group, Permission

    for key, (_label, _staff, perms) in ROLES.items():
        group, _created = Group.objects.using(using).get_or_create(name=key)
        wanted = []
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted.extend(
                Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, using="default", **kwargs):
    # post_migrate comes once per app with models; on the last of them every permission exists.
    from django.apps import apps

    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is with_models[-1]:
        sync_roles(using=using)
