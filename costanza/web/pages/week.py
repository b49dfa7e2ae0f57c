"""`/`: this week and the next three, slot by slot, with the posts' thumbnails."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from config.i18n import N_

if TYPE_CHECKING:
    from costanza.web.base import Web

NAV = ("/", N_("The week"))


def routes(web: Web) -> list[Route]:
    async def week(request: Request) -> Response:
        from costanza.services.week import week_view

        view = await run_in_threadpool(week_view, web.app)
        return web.page(request, "week.html", view=view)

    async def thumb(request: Request) -> Response:
        from costanza.services.thumbnails import thumbnail
        from costanza.web.base import HEADERS

        path = await run_in_threadpool(thumbnail, web.app, request.path_params["sha256"])
        return FileResponse(path, media_type="image/jpeg",
                            headers={**HEADERS, "Cache-Control": "private, max-age=86400"})

    return [Route("/", web.guarded(week), methods=["GET"]),
            Route("/thumbs/{sha256}.jpg", web.guarded(thumb), methods=["GET"])]
