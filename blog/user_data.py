"""blog's part of "download my data" and "delete my account" (rvuedge.user_data).

Posts belong to the site, not to their author: when an author deletes their account, their
posts pass to the editorial team and only the author profile goes.
"""

from rvuedge.user_data import register_user_data

from .models import AuthorProfile, Post


def export_author_profile(user):
    return [
        {"display_name": profile.display_name, "bio": profile.bio}
        for profile in AuthorProfile.objects.filter(user=user)
    ]


def export_posts(user):
    return [
        {
            "title": post.title,
            "slug": post.slug,
            "status": post.status,
            "publish_at": post.publish_at,
        }
        for post in Post.objects.filter(author=user).order_by("pk")
    ]


def hand_over_posts(user):
    from .services import editorial_author_get_or_create

    if not Post.objects.filter(author=user).exists():
        return
    editorial = editorial_author_get_or_create()
    if editorial.pk != user.pk:
        Post.objects.filter(author=user).update(author=editorial)


def register():
    register_user_data("blog_author_profile", export=export_author_profile, models=(AuthorProfile,))
    register_user_data("blog_posts", export=export_posts, delete=hand_over_posts, models=(Post,))
