"""The sandbox as a server: persistence across restarts, the browser page, concurrency."""

from __future__ import annotations

import concurrent.futures
import hashlib

import facebook
import requests

from costanza.demo.sandbox.control import SandboxClient
from costanza.demo.sandbox.routing import redirect_session
from costanza.demo.sandbox.server import SandboxServer


def test_state_survives_a_restart(tmp_path, jpeg, x_client_for):
    data = jpeg()
    with SandboxServer(data_dir=tmp_path) as first:
        control = SandboxClient(first.base_url)
        control.settings(ig_processing_secs=0)
        creds = control.create_accounts("keeper")
        graph = facebook.GraphAPI(creds["facebook"]["page_token"],
                                  session=redirect_session(first.base_url))
        graph.request(f"v26.0/{creds['facebook']['page_id']}/photos",
                      post_args={"message": "Kept"}, files={"source": ("a.jpg", data)})
        before = control.posts()
    assert (tmp_path / "sandbox.json").exists()
    with SandboxServer(data_dir=tmp_path) as second:
        control = SandboxClient(second.base_url)
        assert control.posts() == before
        assert control.create_accounts("keeper") == creds  # same credentials
        assert control.media(hashlib.sha256(data).hexdigest()) == data
        graph = facebook.GraphAPI(creds["facebook"]["page_token"],
                                  session=redirect_session(second.base_url))
        listing = graph.request(f"v26.0/{creds['facebook']['page_id']}/posts")
        assert listing["data"][0]["id"] == before[0]["id"]


def test_reset_forgets_everything(control, x_client):
    x_client.create_tweet(text="gone soon")
    control.reset()
    assert control.posts() == [] and control.accounts() == []


def test_browser_page_lists_posts_with_images(base_url, graph, creds, jpeg):
    data = jpeg()
    graph.request(f"v26.0/{creds['facebook']['page_id']}/photos",
                  post_args={"message": "Linen <3"}, files={"source": ("a.jpg", data)})
    page = requests.get(base_url + "/", timeout=5)
    assert page.headers["Content-Type"].startswith("text/html")
    assert "Linen &lt;3" in page.text
    assert f"/_sandbox/media/{hashlib.sha256(data).hexdigest()}" in page.text
    assert requests.get(base_url + "/_sandbox/", timeout=5).status_code == 200


def test_many_concurrent_posts(base_url, control, creds, x_client_for):
    control.set_latency(50)
    clients = [x_client_for(creds) for _ in range(4)]

    def post(index: int) -> str:
        return clients[index % 4].create_tweet(text=f"parallel {index}").data["id"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        ids = list(pool.map(post, range(40)))
    assert len(set(ids)) == 40
    assert len(control.posts("x")) == 40


def test_unknown_paths(base_url, session):
    assert session.get("https://api.x.com/2/nothing-here").status_code == 404
    assert requests.get(base_url + "/_sandbox/nope", timeout=5).status_code == 404


def test_base_url_and_restart_of_the_same_object(tmp_path):
    server = SandboxServer()
    url = server.start()
    assert url == server.base_url and url.startswith("http://127.0.0.1:")
    server.stop()
    server.stop()  # idempotent


def test_serve_runs_in_the_foreground_until_sigterm():
    import re
    import signal
    import subprocess
    import sys

    code = ("from costanza.demo.sandbox.server import serve; "
            "serve(port=0, data_dir=None, latency_ms=0)")
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.match(r"Sandbox running at (http://127\.0\.0\.1:\d+) — open it in a browser "
                         r"to see what was published\. Ctrl-C stops it\.$", line.strip())
        assert match, line
        assert requests.get(match.group(1) + "/", timeout=5).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_browser_page_shows_accounts_without_secrets(base_url, creds):
    page = requests.get(base_url + "/", timeout=5).text
    assert creds["x"]["user_id"] in page and creds["facebook"]["page_id"] in page
    assert creds["facebook"]["page_token"] not in page
    assert creds["x"]["access_token_secret"] not in page


def test_an_upload_in_progress_survives_a_restart(tmp_path, mp4):
    def post(base_url, **form):
        files = form.pop("files", None)
        session = redirect_session(base_url)
        reply = session.post(f"https://graph-video.facebook.com/v26.0/{page_id}/videos",
                             data={"access_token": token, **form}, files=files)
        assert reply.status_code == 200, reply.text
        return reply.json()

    half = len(mp4) // 2 + 1
    with SandboxServer(data_dir=tmp_path) as first:
        control = SandboxClient(first.base_url)
        control.settings(fb_video_chunk_bytes=half)
        creds = control.create_accounts("uploader")
        page_id, token = creds["facebook"]["page_id"], creds["facebook"]["page_token"]
        start = post(first.base_url, upload_phase="start", file_size=str(len(mp4)))
        window = post(first.base_url, upload_phase="transfer", start_offset="0",
                      upload_session_id=start["upload_session_id"],
                      files={"video_file_chunk": ("c", mp4[:half])})
    with SandboxServer(data_dir=tmp_path) as second:
        lo = int(window["start_offset"])
        post(second.base_url, upload_phase="transfer", start_offset=str(lo),
             upload_session_id=start["upload_session_id"],
             files={"video_file_chunk": ("c", mp4[lo:])})
        post(second.base_url, upload_phase="finish",
             upload_session_id=start["upload_session_id"], description="Resumed")
        [video] = SandboxClient(second.base_url).posts("facebook")
        assert video["media_sha256"] == [hashlib.sha256(mp4).hexdigest()]
    assert list((tmp_path / "chunks").iterdir()) == []
