"""Django's {% url %} tag, with each reversal made once a process (a builtin in
settings.TEMPLATES, so every template, ours and the apps', uses it without a {% load %}).

A page names a few dozen URLs (the navigation, the tracker's sections, a link per history row)
and Django's reverse() takes some 15 microseconds each, about half a millisecond of every
signed-in page. The URL patterns do not change while a process runs, so a reversal is
remembered under everything it depends on: the view name, the arguments (when each is a string
or a number), the URL conf and script prefix of the request, and its current app. A name that
does not reverse is not remembered: it raises, or leaves `as var` empty, as Django's does. A
test that changes the URL settings (override_settings) starts with nothing remembered.
(Static URLs are remembered by the static files' storage: rvuedge/static_storage.py.)
"""

from __future__ import annotations

import functools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()

# Values remembered by (not bool, IntEnum or str subclasses other than a template literal's:
# they equal an int or a str whose URL differs).
CACHED = (str, SafeString, int)


@functools.lru_cache(maxsize=8192)  # history rows name an entry each: many users' pages
def _reversed(view_name, args, kwargs, current_app, urlconf, prefix) -> str:
    del prefix  # part of the key: reverse() reads it itself
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


@receiver(setting_changed)
def _forget(*, setting, **_kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME", "INSTALLED_APPS"):
        _reversed.cache_clear()


class URLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        values = (view_name, *args, *(v for _, v in kwargs))
        if not all(type(value) in CACHED for value in values):
            return super().render(context)  # a model, a lazy string...: Django's own way
        request = getattr(context, "request", None)
        try:  # as Django's tag finds it
            current_app = request.current_app
        except AttributeError:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        try:
            url = _reversed(
                view_name, args, kwargs, current_app, get_urlconf(), get_script_prefix()
            )
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """{% url %} as Django documents it (django.template.defaulttags.url)."""
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)
