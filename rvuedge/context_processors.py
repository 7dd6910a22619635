from django.conf import settings

from codes.releases import current_name


def site(request):
    """Values every page's shell needs: the release the data comes from and the site URL."""
    return {
        "SITE_URL": settings.SITE_URL,
        "data_release": current_name(),
        "show_ama_descriptors": settings.SHOW_AMA_DESCRIPTORS,
    }
