import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from allmende.accounts import roles
from allmende.pages.models import Page


@pytest.mark.django_db
def test_every_role_exists_as_a_group_with_its_permissions():
    for key, (_label, _staff, perms) in roles.ROLES.items():
        group = Group.objects.get(name=key)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(perms)


@pytest.mark.django_db
def test_process_manager_edits_a_page_in_the_admin_and_it_shows_at_once(client, make_user):
    manager = make_user("prozess", role=roles.PROCESS_MANAGER, is_staff=True)
    client.force_login(manager)
    page = Page.objects.get(slug="impressum")
    response = client.post(
        reverse("admin:pages_page_change", args=[page.pk]),
        {
            "slug": "impressum",
            "title": "Impressum",
            "body": "Stadt **Neustadt**, Rathausplatz 1",
            "title_en": "",
            "body_en": "",
            "lang_override": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(reverse("pages:page", args=["impressum"])).content.decode()
    assert "<strong>Neustadt</strong>" in html


@pytest.mark.django_db
def test_resident_has_no_admin_access(resident_client):
    response = resident_client.get(reverse("admin:index"))
    assert response.status_code == 302


@pytest.mark.django_db
def test_process_manager_cannot_make_superusers(client, make_user):
    manager = make_user("prozess", role=roles.PROCESS_MANAGER, is_staff=True)
    other = make_user("bernd")
    client.force_login(manager)
    client.post(
        reverse("admin:accounts_user_change", args=[other.pk]),
        {
            "username": "bernd",
            "email": "bernd@example.org",
            "groups": [Group.objects.get(name="moderator").pk],
            "is_active": "on",
            "is_superuser": "on",
        },
    )
    other.refresh_from_db()
    assert not other.is_superuser
    assert other.groups.filter(name="moderator").exists()
    assert other.is_staff  # a staff role opens the admin to the person
