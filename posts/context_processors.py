from django.conf import settings


def site(request):
    """The publication's name and tagline, for every template's header and metadata."""
    return {"site_name": settings.QUIRE_SITE_NAME, "site_tagline": settings.QUIRE_SITE_TAGLINE}
