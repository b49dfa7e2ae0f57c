"""The ASGI application of `costanza web`: the pages of `costanza.web.pages` behind the
checks of `costanza.web.base`, the static files, the plain error pages."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from costanza.app import App
from costanza.web.auth import Sessions
from costanza.web.base import HERE, Web
from costanza.web.pages import PAGES


def create_app(app: App, sessions: Sessions, loopback: bool = True) -> Starlette:
    """The ASGI application of `costanza web`."""
    web = Web(app, sessions, loopback,
              nav=[module.NAV for module in PAGES if module.NAV is not None])
    routes = [
        Route("/login", web.guarded(web.login, login=True), methods=["GET"]),
        *(route for module in PAGES for route in module.routes(web)),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={
        HTTPException: web.http_error, Exception: web.server_error})
