"""Django's {% url %} and {% static %} tags, each URL made once a process.

settings.TEMPLATES lists this module as a builtin (so every template, ours and the apps', has
this {% url %} without a {% load %}) and as the `static` library (so `{% load static %}` loads
this {% static %}, with the rest of Django's library).

A page names a few dozen URLs (the navigation, the tracker's sections, a link per history row)
and a dozen static files; Django's reverse() takes some 15 microseconds each and a static file's
hashed name some 20, together about a millisecond of every page. Neither changes while a process
runs, so each is remembered: a reversal under everything it depends on (the view name, the
arguments when each is a string or a number, the request's URL conf, script prefix and current
app), a static URL under its path. A name that does not reverse, or a file the manifest lacks,
is not remembered: it raises, or leaves `as var` empty, as Django's does. A test that changes
the settings these read (override_settings) starts with nothing remembered.
"""

from __future__ import annotations

import functools

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.templatetags import static as django_static
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()
# {% load static %} loads this module: Django's other tags of that library come with it.
register.tags.update(django_static.register.tags)
register.filters.update(django_static.register.filters)

CACHED = (str, int)


@functools.lru_cache(maxsize=8192)  # history rows name an entry each: many users' pages
def _reversed(view_name, args, kwargs, current_app, urlconf, prefix) -> str:
    del prefix  # part of the key: reverse() reads it itself
    return reverse(
        view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app
    )


@functools.lru_cache(maxsize=1024)
def _static(path: str) -> str:
    return django_static.StaticNode.handle_simple(path)


@receiver(setting_changed)
def _forget(*, setting, **_kwargs):
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME", "INSTALLED_APPS"):
        _reversed.cache_clear()
    if setting in ("STATIC_URL", "STORAGES", "STATIC_ROOT", "INSTALLED_APPS"):
        _static.cache_clear()


class URLNode(defaulttags.URLNode):
    def render(self, context):
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        if not all(type(value) in CACHED for value in (*args, *(v for _, v in kwargs))):
            return super().render(context)  # a model, a lazy string...: Django's own way
        view_name = self.view_name.resolve(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
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


class StaticNode(django_static.StaticNode):
    def url(self, context):
        path = self.path.resolve(context)
        return _static(str(path)) if isinstance(path, str) else self.handle_simple(path)


@register.tag("static")
def do_static(parser, token):
    """{% static %} as Django documents it (django.templatetags.static.do_static)."""
    node = django_static.do_static(parser, token)
    return StaticNode(varname=node.varname, path=node.path)
