"""What every page of `costanza web` shares: the login address, the checks each request
goes through, the templates, the plain error pages. The pages are in `costanza.web.pages`.

Each route checks who asks (`costanza.web.auth`), calls one service of
`costanza/services/` and renders a template; there is no logic of its own here. Every
error becomes a plain page in the language Costanza speaks, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from config import i18n
from config.errors import CostanzaError, NotFound
from config.i18n import _
from costanza.app import App
from costanza.web.auth import (
    COOKIE,
    CSRF_FIELD,
    Sessions,
    host_allowed,
    origin_allowed,
)
from posts.networks import network_label

HERE = Path(__file__).parent
log = logging.getLogger("costanza.web")

Handler = Callable[[Request], Awaitable[Response]]
FormReader = Callable[[Request], Awaitable[Any]]

# Sent with every answer: nothing from elsewhere (scripts, styles, frames), no address
# (with its token) handed on to another site, nothing kept in a shared cache.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'self'; "
                               "script-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class Web:
    """The page of one `costanza web`: the App it shows, its sessions, its templates."""

    def __init__(self, app: App, sessions: Sessions, loopback: bool = True,
                 nav: list[tuple[str, str]] | None = None) -> None:
        self.app = app
        self.nav = nav or []  # the menu: each page's address and name
        self.sessions = sessions
        self.loopback = loopback
        self.notices: dict[str, str] = {}  # session -> the notice its next page shows
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                 autoescape=True, undefined=jinja2.StrictUndefined,
                                 trim_blocks=True, lstrip_blocks=True)
        env.globals.update(_=i18n.gettext, ngettext=i18n.ngettext)
        env.filters["network"] = network_label
        self.templates = Jinja2Templates(env=env)

    # -- answers ------------------------------------------------------------------

    def page(self, request: Request, name: str, status: int = 200,
             **context: Any) -> Response:
        session = request.cookies.get(COOKIE)
        context.setdefault("csrf", self.sessions.csrf_for(session) or "")
        pending = self.notices.pop(session, None) if session else None
        context["notice"] = context.get("notice") or pending
        context.setdefault("signed_in", bool(self.sessions.csrf_for(session)))
        context.update(lang=i18n.language(), csrf_field=CSRF_FIELD,
                       path=request.url.path, nav=self.nav)
        return self.templates.TemplateResponse(request, name, context, status_code=status,
                                               headers=HEADERS)

    def redirect(self, request: Request, to: str, notice: str | None = None) -> Response:
        """A 303 to ``to``; ``notice`` is shown once on the next page of this session."""
        session = request.cookies.get(COOKIE)
        if notice and session:
            self.notices[session] = notice
        return RedirectResponse(to, status_code=303, headers=HEADERS)

    def plain(self, request: Request, status: int, title: str, message: str) -> Response:
        return self.page(request, "message.html", status=status, title=title,
                         message=message)

    def not_signed_in(self, request: Request) -> Response:
        return self.plain(request, 403, _("Open the page from Costanza"), _(
            "This page opens only from the address that `costanza web` prints. Run "
            "`costanza web` on the computer where Costanza is set up and open the "
            "address it shows (it starts with http://127.0.0.1)."))

    # -- guards --------------------------------------------------------------------

    def guarded(self, handler: Handler, login: bool = False,
                read_form: FormReader | None = None) -> Handler:
        """``handler`` behind the checks: the Host, a live session (not for the login
        address), and for a POST the Origin and the CSRF token. A refused request changes
        nothing. ``read_form`` reads a POST's form instead of Starlette (the uploads of
        `/new`, with their limits); what it read is closed when the form is refused."""

        async def run(request: Request) -> Response:
            if not host_allowed(request.headers.get("host"), self.loopback):
                return self.plain(request, 400, _("Wrong address"), _(
                    "Open the page with the address that `costanza web` prints (it starts "
                    "with http://127.0.0.1)."))
            session = request.cookies.get(COOKIE)
            if not login and self.sessions.csrf_for(session) is None:
                return self.not_signed_in(request)
            if request.method == "POST":
                origin_ok = origin_allowed(request.headers.get("origin"),
                                           request.headers.get("referer"),
                                           request.headers.get("host"))
                try:
                    form = await (read_form or Request.form)(request) if origin_ok else None
                except CostanzaError as exc:
                    return self.plain(request, getattr(exc, "status", 400), _("Not done"),
                                      exc.message)
                given = form.get(CSRF_FIELD) if form is not None else None
                if form is None or not self.sessions.csrf_matches(
                        session, given if isinstance(given, str) else None):
                    if form is not None:
                        await form.close()
                    return self.plain(request, 403, _("Not done"), _(
                        "This form could not be checked, so nothing was changed. Go back to "
                        "the page, reload it and try once more."))
            try:
                return await handler(request)
            except NotFound as exc:
                return self.plain(request, 404, _("Not found"), exc.message)
            except CostanzaError as exc:
                return self.plain(request, 400, _("Not done"), exc.message)
            except HTTPException:
                raise
            except Exception as exc:  # a plain page, and no traceback anywhere
                return await self.server_error(request, exc)

        return run

    # -- routes --------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        if self.sessions.csrf_for(request.cookies.get(COOKIE)) is not None:
            return RedirectResponse("/", status_code=303, headers=HEADERS)
        session = self.sessions.log_in(request.query_params.get("token", ""))
        if session is None:
            return self.plain(request, 403, _("This address was already used"), _(
                "Each address that `costanza web` prints opens the page once, in one "
                "browser. Stop `costanza web` (Ctrl-C) and start it again: it prints a new "
                "address to open."))
        response = RedirectResponse("/", status_code=303, headers=HEADERS)
        response.set_cookie(COOKIE, session, httponly=True, samesite="strict", path="/")
        return response

    # -- errors --------------------------------------------------------------------

    async def http_error(self, request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        if status == 404:
            return self.plain(request, 404, _("Not found"), _(
                "There is no page at this address. Go back to the week."))
        if status == 405:
            return self.plain(request, 405, _("Not done"), _(
                "This page cannot be used that way. Go back to the week."))
        return self.plain(request, status, _("Not done"), _(
            "The page could not answer this. Go back to the week and try once more."))

    async def server_error(self, request: Request, exc: Exception) -> Response:
        log.error("the page hit an unexpected problem (%s)", type(exc).__name__)
        return self.plain(request, 500, _("Something went wrong"), _(
            "Costanza hit an unexpected problem ({kind}). Nothing else was changed. Go back "
            "to the week and try once more; if it happens again, run `costanza status` in "
            "a terminal.").format(kind=type(exc).__name__))
