"""Run every benchmark and print one table: `python -m bench [NAME ...]`."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "cli_speed": "bench.cli_speed",
    "punctuality": "bench.punctuality",
    "idle": "bench.idle",
    "upload": "bench.upload",
    "scale": "bench.scale",
    "fit_memory": "bench.fit_memory",
    "chaos": "bench.chaos",
}


def main(argv: list[str]) -> int:
    # The chaos run takes long: it runs when named (`python -m bench chaos`).
    names = argv or [name for name in BENCHMARKS if name != "chaos"]
    rows: list[tuple[str, str, str, bool]] = []
    for name in names:
        module = importlib.import_module(BENCHMARKS[name])
        print(f"running {name}...", file=sys.stderr, flush=True)
        rows.extend(module.run())
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    header = ("benchmark", "result", "target")
    widths = [max(w, len(h)) for w, h in zip(widths, header, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + "  met"
    print(line)
    print("-" * len(line))
    for row in rows:
        cells = "  ".join(c.ljust(w) for c, w in zip(row[:3], widths, strict=True))
        print(f"{cells}  {'yes' if row[3] else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
