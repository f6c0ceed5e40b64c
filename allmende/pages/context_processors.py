from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# The links every page's header and footer show (base.html): reversed once per process, not at every
# page (a dozen `{% url %}` tags were a twentieth of rendering a proposal's page).
_LINKS = {
    "home": ("pages:home", ()),
    "retrospective": ("accountability:retrospective", ()),
    "easy_language": ("pages:page", ("leichte-sprache",)),
    "profile": ("accounts:profile", ()),
    "moderation": ("moderation:queue", ()),
    "admin": ("admin:index", ()),
    "logout": ("account_logout", ()),
    "login": ("account_login", ()),
    "signup": ("account_signup", ()),
    "language": ("pages:language", ()),
    "legal_notice": ("pages:page", ("impressum",)),
    "privacy": ("pages:page", ("datenschutz",)),
    "accessibility": ("pages:page", ("barrierefreiheit",)),
    "dialogue_rules": ("pages:page", ("dialogregeln",)),
    "notification_settings": ("notifications:settings", ()),  # under every proposal's follow button
}


@lru_cache(maxsize=16)
def _site_links(prefix, urlconf):
    return {name: reverse(view, args=args, urlconf=urlconf) for name, (view, args) in _LINKS.items()}


def site(request):
    prefix, urlconf = get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF
    return {
        "CITY_NAME": settings.CITY_NAME,
        "SITE_LINKS": _site_links(prefix, urlconf),
        # What the links and static files of base.html's kept parts depend on besides the language.
        "LAYOUT_KEY": f"{prefix} {urlconf}",
    }
