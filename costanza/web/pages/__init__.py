"""The pages of `costanza web`, one module each.

A page module has ``NAV`` (its address and its name in the menu, or None when it is not in
the menu) and ``routes(web)``, the Starlette routes it answers, each handler wrapped in
``web.guarded`` (the Host, the session, and for a POST the Origin and the CSRF token).
The menu follows the order of ``PAGES``.
"""

from __future__ import annotations

from costanza.web.pages import accounts, comments, log, new, queue, steadiness, week

PAGES = (week, queue, new, log, comments, steadiness, accounts)
