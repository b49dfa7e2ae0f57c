"""Photos whose shape no network can show: far narrower or wider than any screen.

Networks scale a photo to their display size; a 1x100000 photo becomes a line a
pixel wide, and padding it to Instagram's 4:5 leaves a thin strip in a large
empty frame (and would need a canvas of billions of pixels). Such a photo is
refused with the fix (crop it), rather than "adjusted automatically".
"""

from __future__ import annotations

from typing import Any

from config.i18n import _

_LABELS = {0.8: "4:5", 1.91: "1.91:1"}

# The most extreme shapes any network takes (width / height); Instagram's are narrower.
# A photo beyond them is refused for every network, so it is never decoded at all.
NARROWEST = 1 / 20
WIDEST = 20.0


def beyond_every_network(width: int, height: int) -> bool:
    """True for a shape that no network takes (a 1x100000 strip)."""
    return height <= 0 or not NARROWEST <= width / height <= WIDEST


def shape_label(ratio: float) -> str:
    """4/5 -> "4:5", 1/5 -> "1:5", 8.0 -> "8:1"."""
    known = _LABELS.get(round(ratio, 2))
    if known:
        return known
    return f"1:{1 / ratio:g}" if ratio < 1 else f"{ratio:g}:1"


def extreme_shape(network_name: str, what: str, size: tuple[int, int], lim: Any,
                  verb: str) -> str:
    """The refusal for a photo outside ``lim.narrowest``..``lim.widest`` (width/height)."""
    width, height = size
    shape = "narrow" if width / height < lim.narrowest else "wide"
    if lim.min_ratio is not None:
        goal = shape_label(lim.min_ratio if shape == "narrow" else lim.max_ratio)
        why = (_("padded to {shape} it would be a thin strip") if verb == "padded"
               else _("cropped to {shape} almost all of it would be cut away")).format(shape=goal)
    else:
        why = _("it would show as a thin line")
    sentence = (_("{what} is {width}x{height} pixels, far too narrow for {network} ({why}): "
                  "crop it to a shape between {narrowest} and {widest}, or leave {network} "
                  "out of --to") if shape == "narrow" else
                _("{what} is {width}x{height} pixels, far too wide for {network} ({why}): "
                  "crop it to a shape between {narrowest} and {widest}, or leave {network} "
                  "out of --to"))
    return sentence.format(what=what, width=width, height=height, network=network_name,
                           why=why, narrowest=shape_label(lim.narrowest),
                           widest=shape_label(lim.widest))
