"""Registry API, split by sub-domain: me, registration, organizations, capabilities, people."""

from registry.api.me import MeView

__all__ = ["MeView"]
