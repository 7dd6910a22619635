"""resources' part of "download my data" and "delete my account" (rvuedge.user_data).

Guides belong to the site, not to their author: when an author deletes their account, their
guides pass to the editorial team, as blog posts do.
"""

from blog.services import editorial_author_get_or_create
from rvuedge.user_data import register_user_data

from .models import Guide


def export_guides(user):
    return [
        {
            "title": guide.title,
            "slug": guide.slug,
            "status": guide.status,
            "publish_at": guide.publish_at,
        }
        for guide in Guide.objects.filter(author=user).order_by("pk")
    ]


def hand_over_guides(user):
    if not Guide.objects.filter(author=user).exists():
        return
    editorial = editorial_author_get_or_create()
    if editorial.pk != user.pk:
        Guide.objects.filter(author=user).update(author=editorial)


def register():
    register_user_data(
        "resources_guides", export=export_guides, delete=hand_over_guides, models=(Guide,)
    )
