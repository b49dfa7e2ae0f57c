"""The network publishers, behind one interface (``base.Publisher``).

- ``registry.make_publisher(network, base_url)``: the publisher for a network.
- ``facebook`` (Page), ``instagram`` (professional account), ``x``: the publishers.
- ``graph``: the Graph API client (the only module that imports facebook-sdk) and
  its error classifier; ``x_errors``, ``x_media`` (v2 upload), ``x_thread`` for X.
- ``routing``: ``COSTANZA_PLATFORM_URL`` / ``[networks] base_url`` for every call;
  ``hygiene``: tokens kept out of URLs, logs and messages.
- ``recording.RecordingPublisher``: an in-memory fake for tests of the daemon.
"""
