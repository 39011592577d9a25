"""The Flask web application: search pages, release pages and health check."""

from .app import create_app

__all__ = ["create_app"]
