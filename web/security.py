"""Security headers on every response.

The Content-Security-Policy allows scripts, styles, fonts and images from the site itself
only: no inline script, no inline style attribute, no plug-ins. Pages may not be framed
(``frame-ancestors 'none'``) except views marked with :func:`embeddable`, which the site
itself and the origins in the ``EMBED_ORIGINS`` setting may frame.
"""

from functools import wraps

from flask import current_app, g

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}


def embeddable(view):
    """Let the origins configured in ``EMBED_ORIGINS`` show this view in a frame."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.embeddable = True
        return view(*args, **kwargs)

    wrapper.embeddable = True
    return wrapper


def frame_ancestors() -> str:
    origins = current_app.config.get("EMBED_ORIGINS") or ()
    if g.get("frame_ancestors"):
        return g.frame_ancestors  # a view's own answer (the embed frame's notice to a refused host)
    if g.get("embeddable"):
        # the site itself may show them too (the preview on /<lang>/embed)
        return " ".join((*origins, "'self'"))
    return "'none'"


def content_security_policy() -> str:
    return "; ".join([f"{k} {v}" for k, v in CSP.items()] + [f"frame-ancestors {frame_ancestors()}"])


def add_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy()
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if frame_ancestors() == "'none'":
        headers["X-Frame-Options"] = "DENY"  # for browsers without frame-ancestors
    return response


def init_app(app) -> None:
    app.after_request(add_headers)
