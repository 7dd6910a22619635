"""The static files' storage in production: WhiteNoise's (hashed names from the manifest, files
compressed at collectstatic), with each file's URL made once a process.

A page names a dozen static files ({% static %}); finding the hashed name and joining the URL
takes some 20 microseconds each, a quarter of a millisecond of every page, though neither
changes while the process runs (a new collectstatic comes with a restart). A name the manifest
lacks is not remembered: it raises, as WhiteNoise's does. Django makes a new storage when a test
changes STORAGES or STATIC_URL, and the new one starts with nothing remembered.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage

REMEMBERED = 4096  # names; the templates name a few dozen


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        found = self._urls.get(name)
        if found is None:
            found = super().url(name)
            if len(self._urls) < REMEMBERED:
                self._urls[name] = found
        return found
