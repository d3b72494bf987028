"""The HTTP service: ``create_app`` builds the Sanic app over a :class:`Resources` factory."""

from entrypoints.http.app import create_app
from entrypoints.http.resources import Resources, ResourcesFactory

__all__ = ["Resources", "ResourcesFactory", "create_app"]
