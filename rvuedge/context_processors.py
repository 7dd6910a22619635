from django.conf import settings


def site(request):
    """Values every page's shell needs: the release the data comes from and the site URL."""
    from codes.selectors import current_release_name

    return {
        "SITE_URL": settings.SITE_URL,
        "data_release": current_release_name(),
        "show_ama_descriptors": settings.SHOW_AMA_DESCRIPTORS,
    }
