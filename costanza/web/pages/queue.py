"""`/queue`: the queued posts in publishing order; move up or down, edit the text per
network, remove (after a confirmation), pin to a time, pause and resume.

Every change is a POST behind `web.guarded`, calls `costanza.services.queue_edit` (the
services of `post move`, `post edit`, `post remove`, `pause` and `resume`) and redirects
back to `/queue`, which plans the queue again: the page shows the new plan at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from config.errors import CostanzaError
from config.i18n import N_, _

if TYPE_CHECKING:
    from costanza.web.base import Web

NAV = ("/queue", N_("The queue"))

# What the page says after each change (the redirect names only the key and the post).
DONE = {
    "moved": N_("Post {number} moved. Here is the new plan."),
    "edited": N_("The text of post {number} was saved."),
    "unchanged": N_("Nothing was changed: the texts of post {number} are as before."),
    "removed": N_("Post {number} was taken out of the queue. The posts after it move up."),
    "pinned": N_("Post {number} now has its own time."),
    "now": N_("Post {number} goes out as soon as the daemon sends it."),
    "unpinned": N_("Post {number} takes its turn in the queue again."),
    "paused": N_("The queue is paused: nothing goes out on those days."),
    "resumed": N_("The queue goes on: the posts go out again at their slots."),
    "cancelled": N_("The planned pauses were cancelled."),
    "not-paused": N_("The queue was not paused now, so nothing was changed."),
}


def _post_id(request: Request) -> int:
    try:
        return int(request.path_params["post_id"])
    except ValueError:
        raise HTTPException(404) from None


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _back(done: str, post_id: int | None = None) -> Response:
    from costanza.web.base import HEADERS

    where = f"/queue?done={done}" + (f"&post={post_id}" if post_id is not None else "")
    return RedirectResponse(where, status_code=303, headers=HEADERS)


def _notice(request: Request) -> str | None:
    message = DONE.get(request.query_params.get("done", ""))
    number = request.query_params.get("post", "")
    if message is None or (number and not number.isdigit()):
        return None
    return _(message).format(number=number)


def _change(work: Callable[[int, Any], str]) -> Callable[[Request], Any]:
    """A POST on one post: ``work(post_id, form)`` does it and names what was done."""

    async def run(request: Request) -> Response:
        post_id = _post_id(request)
        form = await request.form()
        done = await run_in_threadpool(work, post_id, form)
        return _back(done, post_id)

    return run


def routes(web: Web) -> list[Route]:
    from costanza.services import queue_edit

    async def show(request: Request) -> Response:
        view = await run_in_threadpool(queue_edit.queue_page, web.app)
        return web.page(request, "queue.html", view=view, notice=_notice(request))

    def move(step: int) -> Callable[[int, Any], str]:
        def work(post_id: int, _form: Any) -> str:
            queue_edit.move_by(web.app, post_id, step)
            return "moved"
        return work

    def move_to(post_id: int, form: Any) -> str:
        target = _field(form, "target")
        if not target.isdigit():
            raise HTTPException(400)
        queue_edit.move_to(web.app, post_id, int(target))
        return "moved"

    return [Route("/queue", web.guarded(show), methods=["GET"]),
            *_edit_routes(web),
            Route("/queue/{post_id}/up", web.guarded(_change(move(-1))), methods=["POST"]),
            Route("/queue/{post_id}/down", web.guarded(_change(move(1))), methods=["POST"]),
            Route("/queue/{post_id}/to", web.guarded(_change(move_to)), methods=["POST"]),
            *_post_routes(web), *_pause_routes(web)]


def _post_routes(web: Web) -> list[Route]:
    """Publish now, pin and unpin, remove (after asking once)."""
    from costanza.services import queue_edit
    from costanza.services.posts import publish_now, remove_post

    def now(post_id: int, _form: Any) -> str:
        queue_edit.edit_form(web.app, post_id)  # only a post still waiting in the queue
        publish_now(web.app, post_id)
        return "now"

    def pin(post_id: int, form: Any) -> str:
        queue_edit.pin(web.app, post_id, _field(form, "at"))
        return "pinned"

    def unpin(post_id: int, _form: Any) -> str:
        queue_edit.unpin(web.app, post_id)
        return "unpinned"

    def remove(post_id: int, _form: Any) -> str:
        queue_edit.edit_form(web.app, post_id)  # only a post still waiting in the queue
        remove_post(web.app, post_id)
        return "removed"

    async def confirm_remove(request: Request) -> Response:
        post = await run_in_threadpool(queue_edit.edit_form, web.app, _post_id(request))
        return web.page(request, "queue_remove.html", post=post)

    return [Route("/queue/{post_id}/now", web.guarded(_change(now)), methods=["POST"]),
            Route("/queue/{post_id}/pin", web.guarded(_change(pin)), methods=["POST"]),
            Route("/queue/{post_id}/unpin", web.guarded(_change(unpin)), methods=["POST"]),
            Route("/queue/{post_id}/remove", web.guarded(confirm_remove), methods=["GET"]),
            Route("/queue/{post_id}/remove", web.guarded(_change(remove)), methods=["POST"])]


def _edit_routes(web: Web) -> list[Route]:
    from costanza.services import queue_edit

    async def form(request: Request) -> Response:
        post = await run_in_threadpool(queue_edit.edit_form, web.app, _post_id(request))
        return web.page(request, "queue_edit.html", post=post, error=None)

    async def save(request: Request) -> Response:
        post_id = _post_id(request)
        given = await request.form()
        post = await run_in_threadpool(queue_edit.edit_form, web.app, post_id)
        texts = {n: _field(given, f"text_{n}") for n in post["texts"]}
        try:
            result = await run_in_threadpool(queue_edit.edit_texts, web.app, post_id, texts)
        except CostanzaError as exc:  # the form again, with what she wrote and why not
            return web.page(request, "queue_edit.html", status=400,
                            post={**post, "texts": texts}, error=exc.message)
        return _back("edited" if result["changed"] else "unchanged", post_id)

    return [Route("/queue/{post_id}/edit", web.guarded(form), methods=["GET"]),
            Route("/queue/{post_id}/edit", web.guarded(save), methods=["POST"])]


def _pause_routes(web: Web) -> list[Route]:
    from costanza.services import queue_edit
    from costanza.services.schedule import resume_queue

    async def pause(request: Request) -> Response:
        form = await request.form()
        await run_in_threadpool(queue_edit.pause_days, web.app, _field(form, "first"),
                                _field(form, "last"))
        return _back("paused")

    async def resume(request: Request) -> Response:
        form = await request.form()
        result = await run_in_threadpool(resume_queue, web.app,
                                         _field(form, "everything") == "yes")
        done = "resumed" if result["resumed"] else "cancelled" if result["cancelled"] \
            else "not-paused"
        return _back(done)

    return [Route("/queue/pause", web.guarded(pause), methods=["POST"]),
            Route("/queue/resume", web.guarded(resume), methods=["POST"])]
