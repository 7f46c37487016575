"""Choose the printer code page (ESC t) that can print a line of text."""

from __future__ import annotations

from escpos.capabilities import get_profile

# Code pages we know how to encode, in the order we prefer them. CP437 is on every printer and holds
# ä ö å Ä Ö Å; CP858 (CP850 with the euro sign) adds more Western letters; CP852 holds Polish letters.
CODECS: dict[str, str] = {
    "CP437": "cp437",
    "CP858": "cp858",
    "CP850": "cp850",
    "CP852": "cp852",
    "ISO_8859-2": "iso8859_2",
    "CP1250": "cp1250",
    "CP1252": "cp1252",
    "ISO_8859-15": "iso8859_15",
}
PREFERRED = ("CP437", "CP858", "CP850", "CP852", "ISO_8859-2", "CP1250", "CP1252", "ISO_8859-15")

# Epson's ESC t numbering, which most ESC/POS printers follow; the preview decodes with it.
STANDARD_SLOTS: dict[int, str] = {
    0: "CP437",
    2: "CP850",
    16: "CP1252",
    18: "CP852",
    19: "CP858",
    39: "ISO_8859-2",
    40: "ISO_8859-15",
    45: "CP1250",
}

# Typography that no single-byte printer code page holds, mapped to plain look-alikes.
_PLAIN = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "‚": ",",
        "“": '"',
        "”": '"',
        "„": '"',
        "…": "...",
        "\u00a0": " ",
    }
)


def plain_typography(text: str) -> str:
    """Replace dashes, curly quotes and ellipses with characters every code page has."""
    return text.translate(_PLAIN)


def can_encode(text: str, name: str) -> bool:
    """Tell whether every character of text exists in the named code page."""
    try:
        text.encode(CODECS[name])
    except UnicodeEncodeError:
        return False
    return True


def encode(text: str, name: str) -> bytes:
    """Encode text in the named code page (it must fit, see can_encode)."""
    return text.encode(CODECS[name])


def codec_for_slot(slot: int) -> str:
    """Return the Python codec for an ESC t slot number (CP437 when unknown)."""
    return CODECS[STANDARD_SLOTS.get(slot, "CP437")]


class CodePageTable:
    """The code pages one printer profile offers, with their ESC t slot numbers."""

    def __init__(self, profile: str | None = None) -> None:
        offered = get_profile(profile).get_code_pages()
        self.slots: dict[str, int] = {name: int(offered[name]) for name in PREFERRED if name in offered}

    def choose(self, text: str, current: str | None) -> str | None:
        """Pick the code page for text: the current one if it fits, else the first that does."""
        if current is not None and can_encode(text, current):
            return current
        for name in self.slots:
            if can_encode(text, name):
                return name
        return None
