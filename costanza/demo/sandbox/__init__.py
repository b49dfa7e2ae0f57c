"""The sandbox: a local HTTP server standing in for Facebook Pages, Instagram and X.

One port serves the real paths (``/v26.0/...`` for the Graph API,
``/2/...``, ``/1.1/...`` and ``/oauth/...`` for X, ``/ig-api-upload/...`` for
the resumable upload host), so that pointing ``COSTANZA_PLATFORM_URL`` at it
sends all platform traffic here. It is built from the platforms' references
(``platforms.md`` and the X OpenAPI / Meta node specs), not from what
Costanza's publishers send.

Quick use (tests, the demo, the benchmarks)::

    from costanza.demo.sandbox.control import SandboxClient
    from costanza.demo.sandbox.server import SandboxServer

    with SandboxServer(latency_ms=200) as sandbox:          # or data_dir=Path(...)
        control = SandboxClient(sandbox.base_url)
        creds = control.create_accounts("demo")             # X, Facebook, Instagram
        control.fault("x", "tweets", after_effect=True)     # posted, then a 500
        ...                                                 # publish to sandbox.base_url
        control.posts("x")                                  # what went out

Libraries with fixed hosts (tweepy, facebook-sdk) reach it through
``routing.redirect_session(base_url)``.

Modules:

- ``server``: ``SandboxServer`` (background thread) and ``serve`` (foreground);
  ``handler``: reading a request and answering it.
- ``app``: routing, faults, latency, the request log.
- ``x_api``, ``x_media``, ``x_auth``, ``oauth1``, ``x_oauth``, ``x_errors``,
  ``schema``/``x_spec``: X API v2.
- ``graph_api``, ``graph_auth``, ``graph_errors``, ``graph_tokens``,
  ``facebook``, ``fb_video``: Graph API and Facebook Pages; ``graph_comments``: a Page's
  comments (and the fields and pages of Instagram's too).
- ``comments``: the audience's comments on every network and its control API.
- ``instagram`` (media), ``ig_comments``, ``ig_containers``, ``ig_checks``,
  ``ig_publish``, ``ig_user``, ``uploads``: Instagram content publishing and
  resumable upload.
- ``accounts``: on-demand accounts and the credential scheme.
- ``faults``: faults on demand. ``state``: memory and the data folder.
- ``control_api`` (``/_sandbox/...``), ``control`` (``SandboxClient``),
  ``page`` (the browser view), ``routing`` (``PlatformRedirect`` for
  libraries with fixed hosts).
"""
