"""Turn pictures and text into ESC/POS raster images (GS v 0)."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont, ImageOps

from qserve.printing import fonts

GS = b"\x1d"
LINE_PITCH_DOTS = 30  # font A is 12 x 24 dots; the default line spacing leaves 6 more


def raster_command(image: Image.Image) -> bytes:
    """Encode a picture as one GS v 0 raster block (dark pixels print)."""
    grey = image.convert("L")
    mono = ImageOps.invert(grey).point(lambda value: 255 if value >= 128 else 0).convert("1")
    width, height = mono.size
    width_bytes = (width + 7) // 8
    header = GS + b"v0\x00" + width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little")
    return header + mono.tobytes()


def centred_on_paper(image: Image.Image, paper_width_px: int) -> Image.Image:
    """Place a picture in the middle of a white strip as wide as the paper."""
    strip = Image.new("L", (paper_width_px, image.height), 255)
    strip.paste(image.convert("L"), ((paper_width_px - image.width) // 2, 0))
    return strip


def fit_logo(path: str, paper_width_px: int, max_height_px: int = 160) -> Image.Image:
    """Load a logo, flatten it on white, shrink it to fit, and centre it on the paper."""
    with Image.open(path) as source:
        rgba = source.convert("RGBA")
    flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    logo = flat.convert("L")
    logo.thumbnail((paper_width_px * 2 // 3, max_height_px))
    mono = logo.convert("1")  # dithered, as a thermal head prints greys
    return centred_on_paper(mono.convert("L"), paper_width_px)


def text_image(
    text: str, *, paper_width_px: int, align: str, bold: bool, width: int = 1, height: int = 1
) -> Image.Image:
    """Draw one line of text with a TrueType font, for letters no printer code page holds.

    Like GS ! on the printer, width and height magnify the letters; a line too long for the paper
    is drawn smaller rather than cut off.
    """
    font_path = str(fonts.SANS_BOLD if bold else fonts.SANS)
    size = 21 * width
    font = ImageFont.truetype(font_path, size=size)
    if font.getlength(text) > paper_width_px:
        size = max(int(size * paper_width_px / font.getlength(text)), 8)
        font = ImageFont.truetype(font_path, size=size)
    line_height = LINE_PITCH_DOTS * width
    image = Image.new("L", (paper_width_px, line_height), 255)
    draw = ImageDraw.Draw(image)
    text_width = draw.textlength(text, font=font)
    left = {"left": 0, "right": paper_width_px - text_width}.get(align, (paper_width_px - text_width) / 2)
    draw.text((max(left, 0), line_height - 7 * width), text, font=font, fill=0, anchor="ls")
    return image.resize((paper_width_px, LINE_PITCH_DOTS * height)) if height != width else image
