from django.conf import settings


def site(request):
    return {"CITY_NAME": settings.CITY_NAME}
