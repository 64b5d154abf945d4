import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup(set_prefix=False)

from core.wsgi import CachedResolveWSGIHandler  # noqa: E402  (after setup, as Django's own)

# Django's get_wsgi_application() with URL resolution cached per path (core/wsgi.py).
application = CachedResolveWSGIHandler()
