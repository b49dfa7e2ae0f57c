"""`/comments`: what waits for an answer, grouped by post, with "Reply", "Mark read",
"Hide" (Facebook, Instagram) and "Look for new comments now"."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from config.errors import CostanzaError, NotFound
from config.i18n import N_, _

if TYPE_CHECKING:
    from costanza.web.base import Web

NAV = ("/comments", N_("Comments"))
HIDEABLE = ("facebook", "instagram")  # X does not let an account hide others' answers
STATES = {"waiting": N_("waits for your answer"), "answered": N_("answered"),
          "read": N_("read, no answer needed"), "hidden": N_("hidden"),
          "deleted": N_("deleted by its author"), "mine": N_("your answer")}


def _comment_id(request: Request) -> int:
    try:
        return int(request.path_params["comment_id"])
    except ValueError:
        raise HTTPException(404) from None


def routes(web: Web) -> list[Route]:
    async def show(request: Request, notice: str | None = None, status: int = 200,
                   **extra: Any) -> Response:
        from costanza.services.comments import list_comments

        everything = request.query_params.get("all") == "1"
        view = await run_in_threadpool(lambda: list_comments(web.app, everything=everything))
        return web.page(request, "comments.html", status=status, view=view,
                        everything=everything, hideable=HIDEABLE, notice=notice,
                        states={k: _(v) for k, v in STATES.items()},
                        **{"result": None, "error_for": None, "draft": "", "fetched": None,
                           **extra})

    async def reply(request: Request) -> Response:
        from costanza.services.comments import reply as send_reply

        number = _comment_id(request)
        given = (await request.form()).get("text")
        text = given if isinstance(given, str) else ""
        try:
            result = await run_in_threadpool(send_reply, web.app, number, text)
        except NotFound:
            raise
        except CostanzaError as exc:
            return await show(request, notice=exc.message, status=400, error_for=number,
                              draft=text)
        return await show(request, notice=result["message"], result=result)

    async def act(request: Request, call: Any, *args: Any) -> Response:
        """``call(*args)`` gives the notice; a refusal re-renders with its words."""
        try:
            notice = await run_in_threadpool(call, *args)
        except NotFound:
            raise
        except CostanzaError as exc:
            return await show(request, notice=exc.message, status=400)
        return await show(request, notice=notice)

    async def mark_read(request: Request) -> Response:
        return await act(request, _mark_read, web, _comment_id(request))

    async def hide(request: Request) -> Response:
        return await act(request, _hide, web, _comment_id(request))

    async def fetch(request: Request) -> Response:
        from costanza.services.comments_fetch import fetch_now

        try:
            result = await run_in_threadpool(fetch_now, web.app)
        except CostanzaError as exc:
            return await show(request, notice=exc.message, status=400)
        return await show(request, notice=_fetch_words(result), fetched=result)

    return [Route("/comments", web.guarded(show), methods=["GET"]),
            Route("/comments/fetch", web.guarded(fetch), methods=["POST"]),
            Route("/comments/{comment_id}/reply", web.guarded(reply), methods=["POST"]),
            Route("/comments/{comment_id}/read", web.guarded(mark_read), methods=["POST"]),
            Route("/comments/{comment_id}/hide", web.guarded(hide), methods=["POST"])]


def _mark_read(web: Web, number: int) -> str:
    from costanza.services.comments import mark_read

    mark_read(web.app, [number])
    return _("Comment {id} is marked read: it no longer waits for an answer.").format(
        id=number)


def _hide(web: Web, number: int) -> str:
    from costanza.services.comments import hide

    return str(hide(web.app, number)["message"])


def _fetch_words(result: dict[str, Any]) -> str:
    """What a look for new comments found, in a sentence for the page."""
    from config.i18n import ngettext

    if not result["enabled"]:
        return str(result["message"])
    return ngettext("Costanza looked under your posts just now: {n} new comment.",
                    "Costanza looked under your posts just now: {n} new comments.",
                    result["new"]).format(n=result["new"])
