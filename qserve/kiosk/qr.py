"""QR codes as inline SVG for the kiosk screen."""

from __future__ import annotations

import re

import qrcode
import qrcode.image.svg


def qr_svg(data: str, *, label: str = "QR code") -> str:
    """Return an inline SVG QR code that scales to its container."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    # Drop the fixed size in millimetres; CSS sizes the code on the screen.
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    escaped = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg", f'<svg class="qr" role="img" aria-label="{escaped}"', 1)
