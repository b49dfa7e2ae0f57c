"""`/steadiness`: the report's picture (the one `costanza report --out` draws), larger and
dated, served by the page as a PNG, and the same figures as text for screen readers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from config.i18n import N_

if TYPE_CHECKING:
    from costanza.web.base import Web

NAV = ("/steadiness", N_("Steadiness"))
WEEKS = 12


def _view(web: Web) -> dict[str, Any]:
    from costanza.services.heatmap import day_words
    from costanza.services.report import build_report

    report = build_report(web.app, weeks=WEEKS)
    return {"report": report, "days": day_words(report)}


def routes(web: Web) -> list[Route]:
    async def show(request: Request) -> Response:
        view = await run_in_threadpool(_view, web)
        return web.page(request, "steadiness.html", **view)

    async def picture(request: Request) -> Response:
        from costanza.services.heatmap import png_bytes
        from costanza.services.report import build_report
        from costanza.web.base import HEADERS

        data = await run_in_threadpool(
            lambda: png_bytes(build_report(web.app, weeks=WEEKS), large=True))
        return Response(data, media_type="image/png", headers=HEADERS)

    return [Route("/steadiness", web.guarded(show), methods=["GET"]),
            Route("/steadiness.png", web.guarded(picture), methods=["GET"])]
