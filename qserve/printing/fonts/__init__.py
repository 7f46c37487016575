"""DejaVu fonts shipped with qserve (Bitstream Vera licence, see LICENSE-DejaVu.txt)."""

from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent

SANS = FONT_DIR / "DejaVuSans.ttf"
SANS_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
MONO = FONT_DIR / "DejaVuSansMono.ttf"
MONO_BOLD = FONT_DIR / "DejaVuSansMono-Bold.ttf"
