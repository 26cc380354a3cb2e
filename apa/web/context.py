from django.conf import settings


def site(request):
    return {"service_name": "Annual Performance Assessment", "debug": settings.DEBUG}
