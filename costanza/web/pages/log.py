"""`/log`: what went out, where, with links; what failed and why, with "Try again"; for
a post that needs review, "Check once more" and "Publish it anyway" (`retry --force`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from config.errors import CostanzaError, NotFound
from config.i18n import N_

if TYPE_CHECKING:
    from costanza.web.base import Web

NAV = ("/log", N_("What went out"))
LOG_DAYS = "30d"


def routes(web: Web) -> list[Route]:
    async def log_page(request: Request, notice: str | None = None,
                       status: int = 200) -> Response:
        from costanza.services.log import log_entries

        def read() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            recent = log_entries(web.app, since=LOG_DAYS)
            attention = log_entries(web.app, failed=True)
            return list(reversed(recent)), list(reversed(attention))

        entries, attention = await run_in_threadpool(read)
        return web.page(request, "log.html", status=status, entries=entries,
                        attention=attention, days=30, notice=notice)

    async def retry(request: Request, force: bool = False) -> Response:
        """`costanza retry ID` (with ``force``: `--force`, for a post that needs review)."""
        from costanza.services.retry import retry_delivery

        try:
            number = int(request.path_params["delivery_id"])
        except ValueError:
            raise HTTPException(404) from None
        try:
            result = await run_in_threadpool(retry_delivery, web.app, number, force)
        except NotFound:
            raise
        except CostanzaError as exc:
            return await log_page(request, notice=exc.message, status=400)
        return await log_page(request, notice=result["message"])

    async def show(request: Request) -> Response:
        return await log_page(request)

    async def force(request: Request) -> Response:
        return await retry(request, force=True)

    return [Route("/log", web.guarded(show), methods=["GET"]),
            Route("/log/retry/{delivery_id}", web.guarded(retry), methods=["POST"]),
            Route("/log/force/{delivery_id}", web.guarded(force), methods=["POST"])]
