"""Fitting huge JPEGs: peak memory and time, read at a reduced size against read whole.

Two photos are made here (one colour each, so they are small on disk but as big as any
photo once decoded): 8000x6000 (48 megapixels, a high-end camera) and 12000x12000
(144 megapixels, a scan). Each is fitted for Instagram (1440 pixels wide) and for X
(4096 on its longest side) in a child process that does only that, twice:

- **reduced** (what Costanza does): the JPEG is decoded at 1/2, 1/4 or 1/8 of its size
  when the copy is at least that much smaller (Pillow's draft mode, ``posts.media.fit``);
- **whole** (what it did before): the same fit with the reduced decoding turned off.

Figures: the child's peak RSS during ``fit_for`` minus its RSS right before (the kernel's
high-water mark, reset first), and the time ``fit_for`` took. A small photo is fitted
first, so that imports and first-use set-up are not counted. Pillow keeps 4 bytes a pixel
for RGB, so the 12000x12000 photo read whole takes 576 MB for its pixels alone, and
resizing needs a buffer of its own on top.

Targets: the 12000x12000 photo takes at most half the memory of reading it whole, on
every network; no fit takes more memory or time than reading it whole (within 10%). The
8000x6000 photo for X cannot be read reduced (its half, 4000 pixels, is less than the
4096 the copy keeps): the same figures both ways are expected there.
Run alone: ``python -m bench fit_memory``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import PeakRss

SIZES = ((8000, 6000), (12000, 12000))
NETWORKS = ("instagram", "x")
HUGE_SHARE = 0.5  # of the memory that reading it whole takes


def _make_jpeg(path: Path, size: tuple[int, int]) -> None:
    from PIL import Image

    img = Image.new("RGB", size, (186, 140, 92))  # the colour of raw wool
    img.paste((120, 40, 30), (0, 0, size[0] // 3, size[1] // 3))
    img.save(path, "JPEG", quality=90)


def _child(photo: Path, way: str, folder: Path) -> dict[str, Any]:
    from posts.media import fit_photo
    from posts.media.fit import fit_for
    from posts.media.store import MediaStore

    if way == "whole":
        fit_photo.decode_reduced = lambda opened, factor: None  # type: ignore[assignment]
    warm = folder / "warm.jpg"
    _make_jpeg(warm, (1600, 1200))
    results: dict[str, Any] = {}
    for network in ("warm-up", *NETWORKS):
        store = MediaStore(folder / f"media-{network}-{way}")
        stored = store.intake(warm if network == "warm-up" else photo)
        with PeakRss() as rss:
            started = time.perf_counter()
            fitted = fit_for("x" if network == "warm-up" else network, stored, store)
            seconds = time.perf_counter() - started
        results[network] = {"rss_mb": (rss.peak_kb - rss.before_kb) / 1024,
                            "seconds": seconds, "size": [fitted.width, fitted.height]}
    del results["warm-up"]
    return results


def run() -> list[tuple[str, str, str, bool]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="costanza-bench-fit-") as tmp:
        for size in SIZES:
            photo = Path(tmp) / f"photo-{size[0]}x{size[1]}.jpg"
            _make_jpeg(photo, size)
            got = {way: _run_child(photo, way, Path(tmp)) for way in ("whole", "reduced")}
            for network in NETWORKS:
                whole, reduced = got["whole"][network], got["reduced"][network]
                assert reduced["size"] == whole["size"], (reduced, whole)
                huge = size == SIZES[-1]
                share = HUGE_SHARE if huge else 1.1
                met = (reduced["seconds"] <= whole["seconds"] * 1.1
                       and reduced["rss_mb"] <= whole["rss_mb"] * share)
                rows.append((
                    f"fit {size[0]}x{size[1]} JPEG for {network}",
                    f"RSS +{reduced['rss_mb']:.0f} MB {reduced['seconds']:.2f} s "
                    f"(whole: +{whole['rss_mb']:.0f} MB {whole['seconds']:.2f} s)",
                    "RSS <= 1/2 of whole, time <= whole" if huge else "RSS, time <= whole",
                    met))
    return rows


def _run_child(photo: Path, way: str, folder: Path) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.fit_memory", str(photo), way,
                           str(folder)], check=True, stdout=subprocess.PIPE, text=True)
    return dict(json.loads(done.stdout))


if __name__ == "__main__":
    print(json.dumps(_child(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]))))
