"""`/new`: a new post, in two steps, as `costanza post add` would take it.

"Check" uploads the photos and the video, probes them and shows each network's verdict
(`costanza.services.posts.check_new_post`: the same probes and rules as `post add`),
queuing nothing. A post every network takes keeps its files, for this session only and
for an hour, in a temporary folder of the media store; "Add to the queue" then queues
it through `costanza.services.posts.add_post`, the service `post add` calls, and goes
back to the week with a notice. On any refusal, no post and no file remain.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from config.errors import CostanzaError, InputError
from config.i18n import N_, _
from costanza.web.auth import COOKIE
from costanza.web.uploads import Received, read_upload_form, remove_stale
from posts.networks import NETWORKS, network_label

if TYPE_CHECKING:
    from costanza.web.base import Web

NAV = ("/new", N_("New post"))
DRAFT_SECONDS = 3600  # how long checked files wait for "Add to the queue"
TEXT_FIELDS = ("text_facebook", "text_instagram", "text_x")


@dataclass
class Draft:
    """The files of a checked post, waiting for "Add to the queue"."""

    token: str
    files: Received
    made: float


class Drafts:
    """One checked post per session, at most, kept in the memory of the page."""

    def __init__(self) -> None:
        self.by_session: dict[str, Draft] = {}

    def expire(self) -> None:
        oldest = time.monotonic() - DRAFT_SECONDS
        for session, draft in list(self.by_session.items()):
            if draft.made < oldest:
                self.drop(session)

    def keep(self, session: str, files: Received) -> str:
        self.drop(session)
        token = secrets.token_urlsafe(16)
        self.by_session[session] = Draft(token, files, time.monotonic())
        return token

    def find(self, session: str, token: str | None) -> Draft | None:
        draft = self.by_session.get(session)
        if draft is None or not token or not secrets.compare_digest(draft.token, token):
            return None
        return draft

    def drop(self, session: str) -> None:
        draft = self.by_session.pop(session, None)
        if draft is not None:
            draft.files.discard()


def _values(form: Received) -> dict[str, Any]:
    """What the artisan typed and ticked, to check it and to show it back."""
    return {
        "text": form.get("text", "") or "",
        **{name: form.get(name, "") or "" for name in TEXT_FIELDS},
        "targets": [n for n in form.getlist("to") if n in NETWORKS],
        "alts": form.get("alts", "") or "",
        "at": (form.get("at") or "").strip(),
        "first_comment": form.get("first_comment", "") or "",
        "thread": bool(form.get("thread")),
    }


def _service_args(values: dict[str, Any], files: Received) -> dict[str, Any]:
    """The arguments of the `post add` service for what the form gave."""
    videos = files.files_of("video")
    if len(videos) > 1:
        raise InputError(_("A post takes one video. Choose one, then check again."))
    alts = values["alts"].splitlines()
    while alts and not alts[-1].strip():
        alts.pop()
    return {
        "text": values["text"], "photos": [f.path for f in files.files_of("photos")],
        "video": videos[0].path if videos else None, "alts": [a.strip() for a in alts],
        "targets": ",".join(values["targets"]) or None,
        "texts": {n: values[f"text_{n}"] or None for n in ("x", "instagram", "facebook")},
        "first_comment": values["first_comment"] or None, "at": values["at"] or None,
        "thread": values["thread"],
    }


class NewPost:
    """The handlers of `/new`, with the checked posts waiting for "Add to the queue"."""

    def __init__(self, web: Web) -> None:
        self.web = web
        self.drafts = Drafts()
        self.media_root: Path = web.app.media.root

    async def read(self, request: Request) -> Received:
        self.drafts.expire()
        remove_stale(self.media_root)
        request.state.form = await read_upload_form(request, self.media_root)
        return request.state.form

    async def render(self, request: Request, values: dict[str, Any] | None = None,
                     status: int = 200, **context: Any) -> Response:
        from costanza.services.posts import post_defaults

        defaults = await run_in_threadpool(post_defaults, self.web.app)
        if values is None:
            values = _values(Received(folder=None))
            values["targets"] = defaults["targets"]
        context.setdefault("result", None)
        context.setdefault("error", None)
        context.setdefault("draft", None)
        context.setdefault("file_names", [])
        return self.web.page(request, "new.html", status=status, values=values,
                             timezone=defaults["timezone"],
                             networks=[(n, network_label(n)) for n in NETWORKS], **context)

    def incoming(self, request: Request) -> tuple[str, dict[str, Any], Received]:
        """The session, the form's values, and the files: this request's own, else those
        of the session's checked post."""
        form: Received = request.state.form
        session = request.cookies.get(COOKIE) or ""
        if form.files:
            self.drafts.drop(session)
            return session, _values(form), form
        draft = self.drafts.find(session, form.get("draft"))
        return session, _values(form), draft.files if draft is not None else form

    async def show(self, request: Request) -> Response:
        return await self.render(request)

    async def check(self, request: Request) -> Response:
        from costanza.services.posts import check_new_post

        session, values, files = self.incoming(request)
        try:
            result = await run_in_threadpool(
                lambda: check_new_post(self.web.app, **_service_args(values, files)))
        except BaseException as exc:
            self.drafts.drop(session)
            files.discard()
            if isinstance(exc, CostanzaError):
                return await self.render(request, values, 400, error=exc.message)
            raise
        if not result["ready"]:
            self.drafts.drop(session)
            files.discard()
            return await self.render(request, values, 400, result=result)
        names = [f.name for f in files.files]
        token = self.drafts.keep(session, files) if files.files else None
        return await self.render(request, values, result=result, draft=token,
                                 file_names=names)

    async def add(self, request: Request) -> Response:
        from costanza.services.posts import add_post

        session, values, files = self.incoming(request)
        try:
            args = _service_args(values, files)
            result = await run_in_threadpool(lambda: add_post(
                self.web.app, **args, category=None, top=False, fit=None))
        except CostanzaError as exc:
            return await self.render(request, values, 400, error=exc.message)
        finally:
            self.drafts.drop(session)
            files.discard()  # the media store has copied what the post keeps
        return self.web.redirect(request, "/", _added(result))


def _added(result: dict[str, Any]) -> str:
    """The notice on the week once the post is queued (the words of `post add`)."""
    networks = ", ".join(network_label(n) for n in result["targets"])
    if result["planned_local"]:
        return _("Added post {id}. It will go out {when} on {networks}.").format(
            id=result["id"], when=result["planned_local"], networks=networks)
    return _("Added post {id}. It will go out when a slot is free (set slots with "
             "`costanza cadence set`) on {networks}.").format(id=result["id"],
                                                              networks=networks)


def routes(web: Web) -> list[Route]:
    page = NewPost(web)
    return [Route("/new", web.guarded(page.show), methods=["GET"]),
            Route("/new/check", web.guarded(page.check, read_form=page.read),
                  methods=["POST"]),
            Route("/new/add", web.guarded(page.add, read_form=page.read), methods=["POST"])]
