"""Draw received ESC/POS bytes as a PNG, the way an 80 mm thermal printer would print them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont, ImageOps

from qserve.printing import fonts
from qserve.printing.codepages import codec_for_slot
from qserve.printing.escpos_stream import Command, parse

PAPER_WIDTH_PX = 576
CELL_WIDTH, CELL_HEIGHT, LINE_PITCH = 12, 24, 30  # font A at 203 dpi
MARGIN_TOP, CUT_GAP = 24, 28
_ALIGN = {0: "left", 48: "left", 1: "center", 49: "center", 2: "right", 50: "right"}
_QR_ERROR = {
    0: qrcode.constants.ERROR_CORRECT_L,
    1: qrcode.constants.ERROR_CORRECT_M,
    2: qrcode.constants.ERROR_CORRECT_Q,
    3: qrcode.constants.ERROR_CORRECT_H,
}


@dataclass
class _Run:
    text: str
    bold: bool
    width: int
    height: int


@dataclass
class _State:
    align: str = "left"
    bold: bool = False
    width: int = 1
    height: int = 1
    codec: str = "cp437"
    qr_module: int = 3
    qr_error: int = 0
    qr_data: bytes = b""
    line: list[_Run] = field(default_factory=list)


def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(fonts.MONO_BOLD if bold else fonts.MONO), size=size)


def _draw_run(run: _Run) -> Image.Image:
    """Draw characters in font A cells (12 x 24 dots), magnified like GS ! does."""
    font = _font(run.bold, 20 * run.height)
    drawn_width = max(round(font.getlength(run.text)), 1)
    image = Image.new("L", (drawn_width, CELL_HEIGHT * run.height), 255)
    ImageDraw.Draw(image).text((0, run.height), run.text, font=font, fill=0, anchor="la")
    return image.resize((CELL_WIDTH * run.width * len(run.text), image.height), Image.Resampling.LANCZOS)


class _Renderer:
    """Follow the commands and stack what they print, strip by strip, down the paper."""

    def __init__(self, width_px: int) -> None:
        self.width_px = width_px
        self.state = _State()
        self.strips: list[Image.Image] = [Image.new("L", (width_px, MARGIN_TOP), 255)]

    def _place(self, image: Image.Image) -> None:
        strip = Image.new("L", (self.width_px, image.height), 255)
        left = {"left": 0, "right": self.width_px - image.width}.get(
            self.state.align, (self.width_px - image.width) // 2
        )
        strip.paste(image, (max(left, 0), 0))
        self.strips.append(strip)

    def _feed(self, dots: int) -> None:
        self.strips.append(Image.new("L", (self.width_px, dots), 255))

    def flush_line(self) -> None:
        """Print the characters collected since the last line feed, or feed one empty line."""
        runs, self.state.line = self.state.line, []
        if not runs:
            self._feed(LINE_PITCH)
            return
        images = [_draw_run(run) for run in runs]
        tallest = max(image.height for image in images)
        line = Image.new("L", (sum(image.width for image in images), max(tallest, LINE_PITCH)), 255)
        left = 0
        for image in images:
            line.paste(image, (left, tallest - image.height))  # characters share a baseline
            left += image.width
        self._place(line)

    def handle(self, command: Command) -> None:
        """Apply one command to the page."""
        handler = getattr(self, f"_on_{command.name}", None)
        if handler is not None:
            handler(command)

    def _on_init(self, command: Command) -> None:
        self.state = _State()

    def _on_codepage(self, command: Command) -> None:
        self.state.codec = codec_for_slot(command.params[0])

    def _on_align(self, command: Command) -> None:
        self.state.align = _ALIGN.get(command.params[0], "left")

    def _on_bold(self, command: Command) -> None:
        self.state.bold = bool(command.params[0] & 1)

    def _on_size(self, command: Command) -> None:
        self.state.width = (command.params[0] >> 4) + 1
        self.state.height = (command.params[0] & 0x0F) + 1

    def _on_print_mode(self, command: Command) -> None:
        mode = command.params[0]
        self.state.bold = bool(mode & 0x08)
        self.state.height, self.state.width = (2 if mode & 0x10 else 1), (2 if mode & 0x20 else 1)

    def _on_text(self, command: Command) -> None:
        text = command.data.decode(self.state.codec, errors="replace").replace("\t", " ")
        state = self.state
        state.line.append(_Run(text, state.bold, state.width, state.height))

    def _on_lf(self, command: Command) -> None:
        self.flush_line()

    def _on_feed_lines(self, command: Command) -> None:
        if self.state.line:
            self.flush_line()
        self._feed(LINE_PITCH * command.params[0])

    def _on_feed_dots(self, command: Command) -> None:
        self._feed(command.params[0])

    def _on_raster(self, command: Command) -> None:
        width_bytes = int.from_bytes(command.params[1:3], "little")
        height = int.from_bytes(command.params[3:5], "little")
        bits = Image.frombytes("1", (width_bytes * 8, height), command.data)
        self._place(ImageOps.invert(bits.convert("L")))  # a set bit is a black dot

    def _on_2d_code(self, command: Command) -> None:
        data = command.data
        if command.params != b"k" or len(data) < 2 or data[0] != ord("1"):
            return  # only QR codes (cn = 49) are drawn
        function = chr(data[1])
        if function == "C":
            self.state.qr_module = data[2]
        elif function == "E":
            self.state.qr_error = data[2] - 48
        elif function == "P":
            self.state.qr_data = data[3:]
        elif function == "Q":
            self._place(_qr_image(self.state.qr_data, self.state.qr_module, self.state.qr_error))

    def _on_cut(self, command: Command) -> None:
        if self.state.line:
            self.flush_line()
        self.strips.append(_cut_mark(self.width_px))

    def image(self) -> Image.Image:
        """Stack the strips into one picture of the paper."""
        if self.state.line:
            self.flush_line()
        height = sum(strip.height for strip in self.strips)
        page = Image.new("L", (self.width_px, height), 255)
        top = 0
        for strip in self.strips:
            page.paste(strip, (0, top))
            top += strip.height
        return page


def _qr_image(data: bytes, module: int, error: int) -> Image.Image:
    code = qrcode.QRCode(box_size=max(module, 1), border=0, error_correction=_QR_ERROR.get(error, 0))
    code.add_data(data.decode("utf-8", errors="replace"))
    code.make(fit=True)
    return code.make_image().get_image().convert("L")


def _cut_mark(width_px: int) -> Image.Image:
    mark = Image.new("L", (width_px, CUT_GAP), 225)
    draw = ImageDraw.Draw(mark)
    for left in range(0, width_px, 16):
        draw.line((left, CUT_GAP // 2, left + 8, CUT_GAP // 2), fill=120, width=2)
    return mark


def decode_text(data: bytes) -> list[str]:
    """Return the printed text lines, decoded with the code page selected for each run."""
    codec, lines, current = "cp437", [], ""
    for command in parse(data)[0]:
        if command.name == "init":
            codec = "cp437"
        elif command.name == "codepage":
            codec = codec_for_slot(command.params[0])
        elif command.name == "text":
            current += command.data.decode(codec, errors="replace")
        elif command.name == "lf":
            lines.append(current)
            current = ""
    return lines + ([current] if current else [])


def render_preview(data: bytes, *, width_px: int = PAPER_WIDTH_PX) -> Image.Image:
    """Draw ESC/POS bytes as the printed paper (cuts show as a grey dashed band)."""
    renderer = _Renderer(width_px)
    commands, _ = parse(data)
    for command in commands:
        renderer.handle(command)
    return renderer.image()


def save_preview(data: bytes, path: str | Path, *, width_px: int = PAPER_WIDTH_PX) -> Path:
    """Render ESC/POS bytes and save them as a PNG; return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    render_preview(data, width_px=width_px).save(path, format="PNG")
    return path
