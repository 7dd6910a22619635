# Blog keeps posts only: guides are resources.Guide now. resources 0002 (run_before this one)
# moves the guide rows out first, so dropping `kind` and `order` loses nothing.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('blog', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='post',
            name='blog_post_unique_kind_slug',
        ),
        migrations.RemoveConstraint(
            model_name='post',
            name='blog_post_kind_valid',
        ),
        migrations.RemoveIndex(
            model_name='post',
            name='blog_post_kind_7f5a8a_idx',
        ),
        migrations.RemoveField(
            model_name='post',
            name='kind',
        ),
        migrations.RemoveField(
            model_name='post',
            name='order',
        ),
        migrations.AlterField(
            model_name='post',
            name='publish_at',
            field=models.DateTimeField(blank=True, help_text='When a scheduled article goes live. Set to now when it is published.', null=True, verbose_name='publish time'),
        ),
        migrations.AlterField(
            model_name='post',
            name='slug',
            field=models.SlugField(help_text="The last part of the page's address.", max_length=200, unique=True),
        ),
        migrations.AddIndex(
            model_name='post',
            index=models.Index(fields=['status', 'publish_at'], name='blog_post_live'),
        ),
    ]
