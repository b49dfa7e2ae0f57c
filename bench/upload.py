"""A 300 MB video uploaded to X and to Facebook in chunks, through the real publishers.

Two figures per network, measured in a child process that does nothing but the
uploads (the sandbox runs here, in the parent, and keeps the uploaded bytes in
its own memory, which must not count):

- **RSS growth**: the child's peak RSS during ``publish()`` minus its RSS right
  before (the kernel's high-water mark ``VmHWM`` is reset through
  ``/proc/self/clear_refs`` first). Target <= 32 MB: the file is streamed in
  chunks, never read whole. A text post goes first, so that lazy imports and
  first-use set-up are not counted.
- **throughput**: MB/s of the whole ``publish()`` (initialize, every chunk,
  finalize, status, the post; status waits are not slept, and the sandbox's X
  processing delay is set to 0) against a raw loopback copy of the same bytes
  made by the same child in the same run: one streamed ``requests`` POST of the
  file to a local sink that reads and discards. Target >= 80% of the raw copy.
  Each of the rounds does the upload, then the raw copy; medians are compared.

The video is real: a 2-second 1280x720 H.264 clip at about 23 Mbit/s (noise,
so it does not compress), its packets repeated with shifted timestamps to fill
300 MB (some 108 s, within X's 140 s), topped up to exactly 300 MB with a
trailing ``free`` box. The sandbox probes it with PyAV as X and Facebook would.

The sandbox's own work (parsing each multipart chunk, storing it, joining the
300 MB, hashing and probing them at finalize) is inside the upload time and
not in the raw copy. So that its share is visible, stderr gets a breakdown:
the sandbox's handler time and parsing time inside ``publish()``, and the
upload's own chunks sent to the sink instead of the sandbox (what the transfer
costs the client, without the sandbox). Run alone: ``python -m bench upload``.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.common import PeakRss

SIZE = 300 * 1024 * 1024
MB = 1024 * 1024
RSS_TARGET_MB = 32.0
SPEED_TARGET = 0.80
ROUNDS = 5
# X's append size (x_media.DEFAULT_CHUNK) and the window the sandbox's Facebook asks for.
CHUNK_BYTES = 4 * 1024 * 1024
FACEBOOK_CHUNK_BYTES = 20 * 1024 * 1024  # the default: videos above it go in chunks

WIDTH, HEIGHT, FPS, CLIP_FRAMES = 1280, 720, 30, 60
CLIP_BITRATE = 21_000_000
X_MAX_SECONDS = 140.0

NETWORKS = (("x", "X"), ("facebook", "Facebook"))


# -- the video ----------------------------------------------------------------


def _noise_clip(path: Path) -> None:
    """A short H.264 clip of coarse moving noise (so it stays big when encoded)."""
    import av
    from PIL import Image

    base = Image.frombytes("RGB", (WIDTH // 8, HEIGHT // 8),
                           os.urandom(WIDTH // 8 * HEIGHT // 8 * 3)).resize((WIDTH, HEIGHT))
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.bit_rate = CLIP_BITRATE
        # One closed GOP per clip and no B-frames: the clip can be repeated packet by packet.
        stream.options = {"preset": "ultrafast", "g": str(CLIP_FRAMES),
                          "keyint_min": str(CLIP_FRAMES), "bframes": "0", "scenecut": "0"}
        for index in range(CLIP_FRAMES):
            noise = Image.frombytes("RGB", (WIDTH // 4, HEIGHT // 4),
                                    os.urandom(WIDTH // 4 * HEIGHT // 4 * 3))
            frame = av.VideoFrame.from_image(Image.blend(base, noise.resize((WIDTH, HEIGHT)),
                                                         0.3))
            frame.pts = index
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def make_video(path: Path, size: int = SIZE) -> float:
    """Write a real H.264 MP4 of exactly ``size`` bytes at ``path``; return its duration."""
    import av

    clip = path.with_name("clip.mp4")
    _noise_clip(clip)
    with av.open(str(clip)) as src:
        template = src.streams.video[0]
        packets = [(bytes(p), p.pts, p.dts, p.is_keyframe, p.duration)
                   for p in src.demux(template) if p.size]
        time_base = template.time_base
        clip_ticks = sum(p[4] for p in packets)
        clip_bytes = sum(len(p[0]) for p in packets)
        repeats = (size - MB) // clip_bytes  # leaves room for the index and the padding
        with av.open(str(path), "w", format="mp4") as out:
            stream = out.add_stream_from_template(template)
            for repeat in range(repeats):
                shift = repeat * clip_ticks
                for data, pts, dts, key, duration in packets:
                    packet = av.Packet(data)
                    packet.stream = stream
                    packet.time_base = time_base
                    packet.pts, packet.dts = pts + shift, dts + shift
                    packet.duration, packet.is_keyframe = duration, key
                    out.mux(packet)
    clip.unlink()
    seconds = float(repeats * clip_ticks * time_base)
    if seconds > X_MAX_SECONDS:
        raise RuntimeError(f"the benchmark video lasts {seconds:.0f} s; X takes up to 140 s")
    padding = size - path.stat().st_size
    if padding < 8:
        raise RuntimeError("the benchmark video came out too big to pad to its size")
    with open(path, "ab") as fh:  # an ISO BMFF "free" box: players skip it
        fh.write(padding.to_bytes(4, "big") + b"free")
        left = padding - 8
        while left:
            piece = min(left, MB)
            fh.write(os.urandom(piece))
            left -= piece
    return seconds


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(MB):
            digest.update(block)
    return digest.hexdigest()


# -- the raw loopback sink -------------------------------------------------------


class _Sink(BaseHTTPRequestHandler):
    """Reads a request body and throws it away: the raw loopback copy's other end."""

    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_POST(self) -> None:
        left = int(self.headers.get("Content-Length") or 0)
        buffer = memoryview(bytearray(MB))
        while left:
            got = self.rfile.readinto(buffer[:min(left, MB)])
            if not got:
                break
            left -= got
        reply = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


# -- the child: only the uploads ---------------------------------------------------


def _raw_copy(sink_url: str, path: Path) -> float:
    import requests

    with requests.Session() as session, open(path, "rb") as fh:
        start = time.perf_counter()
        reply = session.post(sink_url, data=fh, timeout=300,
                             headers={"Content-Type": "application/octet-stream"})
        elapsed = time.perf_counter() - start
    reply.raise_for_status()
    return elapsed


def _chunked_copy(sink_url: str, path: Path, chunk: int) -> float:
    """The upload's own way of sending (multipart chunks streamed from disk, one request
    each), to the sink: what the transfer costs without the sandbox's processing."""
    import requests

    from scheduler.http.multipart import FileSlice, MultipartBody

    size = path.stat().st_size
    with requests.Session() as session:
        start = time.perf_counter()
        for index, offset in enumerate(range(0, size, chunk)):
            part = FileSlice(path, offset, min(chunk, size - offset))
            body = MultipartBody({"segment_index": index},
                                 {"media": ("chunk", part, "application/octet-stream")})
            try:
                reply = session.post(sink_url, data=body, timeout=300,
                                     headers={"Content-Type": body.content_type})
            finally:
                body.close()
            reply.raise_for_status()
        return time.perf_counter() - start


def _child(config: dict[str, Any]) -> dict[str, Any]:
    from scheduler.publishers.base import AccountAuth, MediaFile, PublishRequest
    from scheduler.publishers.registry import make_publisher

    network = config["network"]
    path = Path(config["video"])
    publisher = make_publisher(network, config["base_url"], sleep=lambda seconds: None,
                               timeout=300, facebook_chunk_bytes=FACEBOOK_CHUNK_BYTES)
    account = AccountAuth(network, "bench", config["remote_id"], config["secrets"])
    video = MediaFile(path=path, kind="video", mime="video/mp4", sha256=config["sha256"],
                      size_bytes=path.stat().st_size, width=WIDTH, height=HEIGHT,
                      duration=config["seconds"])

    def request(number: int, text: str, media: list[MediaFile]) -> PublishRequest:
        return PublishRequest(delivery_id=number, post_id=number, network=network, text=text,
                              media=media, account=account)

    # A text post first, so that lazy imports and first-use set-up are not counted.
    publisher.publish(request(1, "Warming up the looms.", []), lambda progress: None)
    raw, chunked, upload, growth, before, windows = [], [], [], [], [], []
    for number in range(ROUNDS):
        # The upload first: in the first round only the text post has run before it.
        post = request(10 + number, f"The whole shearing, take {number + 1}.", [video])
        with PeakRss() as rss:
            wall = time.time()
            start = time.perf_counter()
            publisher.publish(post, lambda progress: None)
            upload.append(time.perf_counter() - start)
            windows.append((wall, time.time()))
        growth.append((rss.peak_kb - rss.before_kb) / 1024)
        before.append(rss.before_kb / 1024)
        raw.append(_raw_copy(config["sink_url"], path))
        chunked.append(_chunked_copy(config["sink_url"], path, CHUNK_BYTES))
    return {"raw": raw, "chunked": chunked, "upload": upload, "growth": growth,
            "before": before, "windows": windows, "exact_rss": rss.exact}


# -- the parent ------------------------------------------------------------------


class _ParseTimer:
    """Times the sandbox's request parsing (multipart splitting), which its own request
    log does not include: (finished at, seconds) per request, for the breakdown only."""

    def __init__(self) -> None:
        self.entries: list[tuple[float, float]] = []
        self._lock = threading.Lock()

    def __enter__(self) -> _ParseTimer:
        from costanza.demo.sandbox import server

        self._server = server
        self._original = getattr(server, "parse_request", None)
        if self._original is not None:
            original = self._original

            def timed(*args: Any, **kwargs: Any) -> Any:
                start = time.perf_counter()
                try:
                    return original(*args, **kwargs)
                finally:
                    entry = (time.time(), time.perf_counter() - start)
                    with self._lock:
                        self.entries.append(entry)

            server.parse_request = timed
        return self

    def __exit__(self, *exc: object) -> None:
        if self._original is not None:
            self._server.parse_request = self._original

    def seconds(self, start: float, end: float) -> float | None:
        if self._original is None:
            return None
        with self._lock:
            return sum(secs for when, secs in self.entries if start <= when <= end)


def _handler_secs(log: list[dict[str, Any]], start: float, end: float) -> float:
    """Time the sandbox's handlers spent on the calls finished between start and end."""
    return sum(e["ms"] for e in log if start <= e["time"] <= end) / 1000


def _account(network: str, creds: dict[str, Any]) -> tuple[str, dict[str, str]]:
    if network == "x":
        c = creds["x"]
        return c["user_id"], {k: c[k] for k in ("consumer_key", "consumer_secret",
                                                "access_token", "access_token_secret",
                                                "username")}
    c = creds["facebook"]
    return c["page_id"], {"page_token": c["page_token"]}


def run() -> list[tuple[str, str, str, bool]]:
    from costanza.demo.sandbox.control import SandboxClient
    from costanza.demo.sandbox.server import SandboxServer

    rows = []
    with tempfile.TemporaryDirectory(prefix="costanza-bench-upload-") as tmp:
        video = Path(tmp) / "video.mp4"
        started = time.perf_counter()
        seconds = make_video(video)
        sha256 = _sha256(video)
        print(f"  made a {SIZE // MB} MB, {seconds:.0f} s {WIDTH}x{HEIGHT} H.264 video in "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        sink = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
        sink.daemon_threads = True
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        sandbox = SandboxServer()  # in memory: the fastest the sandbox gets
        base_url = sandbox.start()
        try:
            control = SandboxClient(base_url)
            control.settings(x_processing_secs=0)
            creds = control.create_accounts("bench")
            with _ParseTimer() as parsing:
                for network, label in NETWORKS:
                    remote_id, secrets = _account(network, creds)
                    config = {"network": network, "base_url": base_url,
                              "remote_id": remote_id, "secrets": secrets, "video": str(video),
                              "sha256": sha256, "seconds": seconds,
                              "sink_url": f"http://127.0.0.1:{sink.server_address[1]}/"}
                    result = _run_child(config, Path(tmp))
                    rows.append(_row(label, result, control.requests(), parsing))
        finally:
            sandbox.stop()
            sink.shutdown()
            sink.server_close()
    return rows


def _run_child(config: dict[str, Any], folder: Path) -> dict[str, Any]:
    config_path = folder / f"{config['network']}.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    config_path.chmod(0o600)
    done = subprocess.run([sys.executable, "-m", "bench.upload", str(config_path)],
                          check=True, stdout=subprocess.PIPE, text=True)  # stderr: shown
    return json.loads(done.stdout)


def _row(label: str, result: dict[str, Any], log: list[dict[str, Any]],
         parsing: _ParseTimer) -> tuple[str, str, str, bool]:
    growth = max(result["growth"])
    raw_secs = statistics.median(result["raw"])
    upload_secs = statistics.median(result["upload"])
    chunked_secs = statistics.median(result["chunked"])
    raw_speed, upload_speed = SIZE / MB / raw_secs, SIZE / MB / upload_secs
    share = upload_speed / raw_speed
    handlers = statistics.median(_handler_secs(log, *w) for w in result["windows"])
    parsed = [parsing.seconds(*w) for w in result["windows"]]
    parse_note = "" if None in parsed else \
        f", parsing request bodies {statistics.median(p or 0.0 for p in parsed):.2f} s"

    def rounds(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    print(f"  {label}, medians of {ROUNDS} rounds: publish() {upload_secs:.2f} s; raw copy "
          f"{raw_secs:.2f} s; the upload's {CHUNK_BYTES // MB} MB multipart chunks sent to "
          f"the sink instead {chunked_secs:.2f} s ({raw_secs / chunked_secs:.0%} of raw). "
          f"Sandbox time inside publish(): handlers {handlers:.2f} s{parse_note}.\n"
          f"    rounds: publish() {rounds(result['upload'])} s; raw {rounds(result['raw'])} s; "
          f"chunks to sink {rounds(result['chunked'])} s; RSS growth "
          f"{rounds(result['growth'])} MB{'' if result['exact_rss'] else ' (sampled)'} "
          f"from {rounds(result['before'])} MB",
          file=sys.stderr, flush=True)
    return (f"300 MB video to {label}, chunked",
            f"RSS +{growth:.1f} MB, {upload_speed:.0f} MB/s = {share:.0%} of raw loopback "
            f"({raw_speed:.0f} MB/s)",
            f"<= {RSS_TARGET_MB:.0f} MB, >= {SPEED_TARGET:.0%}",
            growth <= RSS_TARGET_MB and share >= SPEED_TARGET)


if __name__ == "__main__":
    settings = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    print(json.dumps(_child(settings)))
