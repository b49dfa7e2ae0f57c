"""The consistency report as a picture: a calendar heatmap.

One column per week (oldest on the left; the month above it, the day its Monday
falls on below it), one row per weekday (Monday at the top); each cell is
coloured by the number of posts published that day. A day with a missed slot
gets a red border. Days not counted yet (the future, or before Costanza was set
up) are white.

``write(report, path)`` draws PNG (Pillow) or SVG (hand-written XML) by the
file's suffix. ``Layout`` tells where each cell is, for whoever needs to find
it again (the tests sample the pixel at each cell's centre).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from config.errors import InputError, os_reason
from config.i18n import _, ngettext
from config.localtime import day_label, month_short, weekday_short

NOT_COUNTED = "#ffffff"
PALETTE = ("#ebedf0", "#9be9a8", "#40c463", "#216e39")  # 0, 1, 2, 3 or more posts
BORDER = "#d0d7de"
MISSED = "#d73a49"
INK = "#24292f"


def colour_for(count: int | None) -> str:
    """The fill of a cell with ``count`` posts (None: a day not counted)."""
    if count is None:
        return NOT_COUNTED
    return PALETTE[min(max(count, 0), len(PALETTE) - 1)]


@dataclass(frozen=True)
class Layout:
    weeks: int
    cell: int = 18
    gap: int = 4
    left: int = 44
    top: int = 48
    bottom: int = 56
    right: int = 16
    min_width: int = 400

    @property
    def width(self) -> int:
        grid = self.weeks * (self.cell + self.gap) - self.gap
        return max(self.min_width, self.left + grid + self.right)

    @property
    def height(self) -> int:
        return self.top + 7 * (self.cell + self.gap) - self.gap + self.bottom

    def box(self, week: int, weekday: int) -> tuple[int, int, int, int]:
        """The cell's left, top, right, bottom (right and bottom included)."""
        x = self.left + week * (self.cell + self.gap)
        y = self.top + weekday * (self.cell + self.gap)
        return x, y, x + self.cell - 1, y + self.cell - 1

    def centre(self, week: int, weekday: int) -> tuple[int, int]:
        x0, y0 = self.box(week, weekday)[:2]
        return x0 + self.cell // 2, y0 + self.cell // 2


def _cells(report: dict[str, Any]) -> list[tuple[int, int, date, int | None, bool]]:
    cells = []
    for col, week in enumerate(report["weeks"]):
        monday = date.fromisoformat(week["start"])
        missed = set(week.get("missed_days", []))
        for row, count in enumerate(week["days"]):
            cells.append((col, row, monday + timedelta(days=row), count, row in missed))
    return cells


def _title(report: dict[str, Any]) -> str:
    first = date.fromisoformat(report["weeks"][0]["start"])
    last = date.fromisoformat(report["weeks"][-1]["end"])
    start, end = (f"{d.day} {month_short(d.month)} {d.year}" for d in (first, last))
    streak = report["streak"]
    return ngettext("Posts published per day, {start} to {end} (streak: {n} steady week)",
                    "Posts published per day, {start} to {end} (streak: {n} steady weeks)",
                    streak).format(start=start, end=end, n=streak)


def _week_starts(report: dict[str, Any]) -> list[tuple[int, str]]:
    """Each column's Monday, its day of the month under the column: with the months
    above, every week reads as a date ("Nov" ... "30"), never as an ISO week number."""
    return [(col, str(date.fromisoformat(week["start"]).day))
            for col, week in enumerate(report["weeks"])]


def _month_labels(report: dict[str, Any]) -> list[tuple[int, str]]:
    labels, seen = [], None
    for col, week in enumerate(report["weeks"]):
        month = date.fromisoformat(week["start"]).month
        if month != seen:
            labels.append((col, month_short(month)))
            seen = month
    return labels


def _day_label(day: date, count: int | None, missed: bool) -> str:
    name = day_label(day)
    if count is None:
        return _("{day}: not counted").format(day=name)
    if missed:
        return ngettext("{day}: {n} post, a slot was missed",
                        "{day}: {n} posts, a slot was missed", count).format(day=name, n=count)
    return ngettext("{day}: {n} post", "{day}: {n} posts", count).format(day=name, n=count)


def svg(report: dict[str, Any]) -> str:
    """The heatmap as an SVG document. Cells are ``<rect class="cell">``."""
    layout = Layout(len(report["weeks"]))
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.width}" '
        f'height="{layout.height}" viewBox="0 0 {layout.width} {layout.height}" '
        'font-family="sans-serif" font-size="11">',
        f'<text x="{layout.left}" y="16" fill="{INK}" font-size="13">'
        f'{escape(_title(report))}</text>',
    ]
    for col, name in _month_labels(report):
        x = layout.box(col, 0)[0]
        out.append(f'<text x="{x}" y="{layout.top - 8}" fill="{INK}">{name}</text>')
    for row in (0, 2, 4, 6):
        _x, y, _x1, y1 = layout.box(0, row)
        out.append(f'<text x="4" y="{(y + y1) // 2 + 4}" fill="{INK}">'
                   f'{weekday_short(row)}</text>')
    for col, row, day, count, missed in _cells(report):
        x, y = layout.box(col, row)[:2]
        stroke = MISSED if missed else BORDER
        width = 2 if missed else 1
        out.append(f'<rect class="cell" x="{x}" y="{y}" width="{layout.cell}" '
                   f'height="{layout.cell}" rx="3" fill="{colour_for(count)}" '
                   f'stroke="{stroke}" stroke-width="{width}">'
                   f'<title>{escape(_day_label(day, count, missed))}</title></rect>')
    under = layout.height - layout.bottom + 14
    for col, day in _week_starts(report):
        x = layout.box(col, 0)[0]
        out.append(f'<text class="week" x="{x}" y="{under}" fill="{INK}">{day}</text>')
    legend_y = layout.height - layout.bottom + 30
    out.append(f'<text x="{layout.left}" y="{legend_y + 11}" fill="{INK}">'
               f'{escape(_("Fewer"))}</text>')
    x = layout.left + 40
    for fill in PALETTE:
        out.append(f'<rect class="legend" x="{x}" y="{legend_y}" width="12" height="12" '
                   f'rx="2" fill="{fill}" stroke="{BORDER}"/>')
        x += 16
    out.append(f'<text x="{x + 4}" y="{legend_y + 11}" fill="{INK}">{escape(_("More"))}</text>')
    out.append(f'<text x="{x + 44}" y="{legend_y + 11}" fill="{MISSED}">'
               f'{escape(_("red border: a slot was missed"))}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


# The page's picture (`costanza web`'s /steadiness): larger cells, a larger type, and each
# column's Monday under it as a date ("7 Dec").
LARGE = {"cell": 46, "gap": 10, "left": 64, "top": 64, "bottom": 92, "right": 24,
         "min_width": 640}


def png(report: dict[str, Any], large: bool = False) -> Any:
    """The heatmap as a Pillow image (RGB); ``large``: the page's bigger one, dated."""
    from PIL import Image, ImageDraw, ImageFont

    layout = Layout(len(report["weeks"]), **(LARGE if large else {}))
    image = Image.new("RGB", (layout.width, layout.height), "#ffffff")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=15) if large else ImageFont.load_default()
    line = 20 if large else 11
    draw.text((layout.left, 4), _title(report), fill=INK, font=font)
    for col, name in _month_labels(report):
        x = layout.box(col, 0)[0]
        draw.text((x, layout.top - line - 7), name, fill=INK, font=font)
    for row in (0, 2, 4, 6):
        y = layout.box(0, row)[1]
        draw.text((4, y + 3), weekday_short(row), fill=INK, font=font)
    for col, row, _day, count, missed in _cells(report):
        draw.rectangle(layout.box(col, row), fill=colour_for(count),
                       outline=MISSED if missed else BORDER,
                       width=(4 if large else 2) if missed else 1)
    for col, day in (week_dates_under(report) if large else _week_starts(report)):
        x = layout.box(col, 0)[0]
        draw.text((x + 2, layout.height - layout.bottom + 4), day, fill=INK, font=font)
    legend_y = layout.height - layout.bottom + 2 * line + 10
    draw.text((layout.left, legend_y), _("Fewer"), fill=INK, font=font)
    x = layout.left + int(draw.textlength(_("Fewer"), font=font)) + 8
    for fill in PALETTE:
        draw.rectangle((x, legend_y, x + line, legend_y + line), fill=fill, outline=BORDER)
        x += line + 5
    draw.text((x + 4, legend_y), _("More"), fill=INK, font=font)
    x += int(draw.textlength(_("More"), font=font)) + 20
    draw.text((x, legend_y), _("red border: a slot was missed"), fill=MISSED, font=font)
    return image


def week_dates_under(report: dict[str, Any]) -> list[tuple[int, str]]:
    """Each column's Monday as a date ("7 Dec"), for the page's larger picture."""
    return [(col, f"{d.day} {month_short(d.month)}")
            for col, d in ((col, date.fromisoformat(week["start"]))
                           for col, week in enumerate(report["weeks"]))]


def png_bytes(report: dict[str, Any], large: bool = True) -> bytes:
    """The heatmap as PNG data (the page serves it)."""
    from io import BytesIO

    out = BytesIO()
    png(report, large=large).save(out, format="PNG")
    return out.getvalue()


def day_words(report: dict[str, Any]) -> list[list[str]]:
    """Each week's days in words ("Mon 7 Dec: 1 post"), as the picture's cells say them,
    for whoever cannot see the picture."""
    rows: list[list[str]] = [[] for _week in report["weeks"]]
    for col, _row, day, count, missed in _cells(report):
        rows[col].append(_day_label(day, count, missed))
    return rows


def write(report: dict[str, Any], path: Path) -> Path:
    """Draw the heatmap into ``path``: PNG or SVG by its suffix."""
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InputError(_("Costanza draws the picture as PNG or SVG: give a file name ending "
                           "in .png or .svg (not '{name}').").format(name=path.name))
    try:
        if suffix == ".svg":
            path.write_text(svg(report), encoding="utf-8")
        else:
            png(report).save(path, format="PNG")
    except OSError as exc:
        raise InputError(_("Costanza could not write the picture to {path} "
                           "({problem}). Check the folder exists and you may "
                           "write there.").format(path=path, problem=os_reason(exc))
                         ) from None
    return path
