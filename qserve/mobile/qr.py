"""QR codes as inline SVG for posters."""

from __future__ import annotations

import re

import qrcode
from markupsafe import Markup, escape
from qrcode.image.svg import SvgPathImage


def qr_svg(data: str, *, title: str = "") -> Markup:
    """Return an inline SVG of a QR code (medium error correction, scalable, no fixed size)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2, box_size=10)
    code.add_data(data)
    code.make(fit=True)
    image = code.make_image(image_factory=SvgPathImage)
    svg = image.to_string(encoding="unicode")
    svg = svg[svg.index("<svg") :]  # drop the XML declaration: this goes inside HTML
    svg = re.sub(r' (width|height)="[^"]*"', "", svg, count=2)  # the page's CSS sizes it
    svg = svg.replace("<svg ", '<svg role="img" class="qr" shape-rendering="crispEdges" ', 1)
    if title:
        svg = svg.replace(">", f"><title>{escape(title)}</title>", 1)
    return Markup(svg)  # noqa: S704  (built here from qrcode's own output and an escaped title)
