"""`/accounts`: each account's health and what to do, in plain words, from the same
service as `costanza account check` (never a key or a token on the page)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from config.i18n import N_, _

if TYPE_CHECKING:
    from costanza.web.base import Web

NAV = ("/accounts", N_("Accounts"))
HEALTH = {"ok": N_("works, as far as Costanza last knew"),
          "held": N_("needs you: its posts wait until it is connected again")}


def routes(web: Web) -> list[Route]:
    def render(request: Request, accounts: list[dict[str, Any]],
               checked: list[dict[str, Any]] | None, notice: str | None = None) -> Response:
        return web.page(request, "accounts.html", accounts=accounts, checked=checked,
                        health={k: _(v) for k, v in HEALTH.items()}, notice=notice)

    async def show(request: Request) -> Response:
        from costanza.services.accounts import list_accounts

        accounts = await run_in_threadpool(list_accounts, web.app)
        return render(request, accounts, None)

    async def check(request: Request) -> Response:
        """Ask each network now, as `costanza account check` does."""
        from costanza.services.accounts import check_accounts, list_accounts

        checked = await run_in_threadpool(check_accounts, web.app)
        accounts = await run_in_threadpool(list_accounts, web.app)
        bad = sum(1 for r in checked if not r["ok"])
        notice = (_("Every account works.") if not bad else
                  _("Some accounts need you: see what to do under each."))
        return render(request, accounts, checked, notice if checked else None)

    return [Route("/accounts", web.guarded(show), methods=["GET"]),
            Route("/accounts/check", web.guarded(check), methods=["POST"])]
