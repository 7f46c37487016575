"""Split a stream of ESC/POS bytes into commands (for the simulator and the preview)."""

from __future__ import annotations

from dataclasses import dataclass

ESC, GS, DLE, LF, CR = 0x1B, 0x1D, 0x10, 0x0A, 0x0D

# ESC x: command name and how many parameter bytes follow.
_ESC_COMMANDS: dict[int, tuple[str, int]] = {
    ord("@"): ("init", 0),
    ord("t"): ("codepage", 1),
    ord("a"): ("align", 1),
    ord("E"): ("bold", 1),
    ord("!"): ("print_mode", 1),
    ord("d"): ("feed_lines", 1),
    ord("J"): ("feed_dots", 1),
    ord("-"): ("underline", 1),
    ord("M"): ("font", 1),
    ord("G"): ("double_strike", 1),
    ord("{"): ("upside_down", 1),
    ord("2"): ("line_spacing_default", 0),
    ord("3"): ("line_spacing", 1),
    ord("V"): ("rotate", 1),
    ord("p"): ("pulse", 3),
    ord("R"): ("charset", 1),
    ord("r"): ("colour", 1),
    ord("U"): ("unidirectional", 1),
    ord(" "): ("char_spacing", 1),
    ord("$"): ("position", 2),
    ord("c"): ("panel", 2),
}
_GS_COMMANDS: dict[int, tuple[str, int]] = {
    ord("!"): ("size", 1),
    ord("B"): ("invert", 1),
    ord("b"): ("smoothing", 1),
    ord("L"): ("left_margin", 2),
    ord("W"): ("print_width", 2),
    ord("H"): ("barcode_text", 1),
    ord("h"): ("barcode_height", 1),
    ord("w"): ("barcode_width", 1),
    ord("f"): ("barcode_font", 1),
    ord("a"): ("status_back", 1),
    ord("r"): ("status_request", 1),
    ord("I"): ("printer_id", 1),
}
_CUTS_WITH_FEED = {65, 66, 97, 98, 103, 104}


@dataclass(frozen=True)
class Command:
    """One ESC/POS command: its name, parameter bytes and (for images and codes) data."""

    name: str
    params: bytes = b""
    data: bytes = b""
    raw: bytes = b""


class _Incomplete(Exception):
    """The stream stops in the middle of a command."""


def _need(data: bytes, end: int) -> None:
    if end > len(data):
        raise _Incomplete


def _escape(data: bytes, at: int, table: dict[int, tuple[str, int]], prefix: str) -> tuple[Command, int]:
    _need(data, at + 2)
    name, count = table.get(data[at + 1], (f"{prefix}_{data[at + 1]:02x}", 0))
    _need(data, at + 2 + count)
    return Command(name, data[at + 2 : at + 2 + count]), at + 2 + count


def _gs(data: bytes, at: int) -> tuple[Command, int]:
    _need(data, at + 2)
    kind = data[at + 1]
    if kind == ord("V"):
        _need(data, at + 3)
        count = 2 if data[at + 2] in _CUTS_WITH_FEED else 1
        _need(data, at + 2 + count)
        return Command("cut", data[at + 2 : at + 2 + count]), at + 2 + count
    if kind == ord("("):
        _need(data, at + 5)
        length = int.from_bytes(data[at + 3 : at + 5], "little")
        _need(data, at + 5 + length)
        function = "2d_code" if data[at + 2] == ord("k") else f"gs_paren_{chr(data[at + 2])}"
        return Command(function, data[at + 2 : at + 3], data[at + 5 : at + 5 + length]), at + 5 + length
    if kind == ord("v"):
        _need(data, at + 8)
        width_bytes = int.from_bytes(data[at + 4 : at + 6], "little")
        height = int.from_bytes(data[at + 6 : at + 8], "little")
        end = at + 8 + width_bytes * height
        _need(data, end)
        return Command("raster", data[at + 3 : at + 8], data[at + 8 : end]), end
    return _escape(data, at, _GS_COMMANDS, "gs")


def _dle(data: bytes, at: int) -> tuple[Command, int]:
    _need(data, at + 3)
    if data[at + 1] == 0x04:
        return Command("status", data[at + 2 : at + 3]), at + 3
    if data[at + 1] == 0x14:  # DLE DC4 fn m t
        _need(data, at + 5)
        return Command("realtime", data[at + 2 : at + 5]), at + 5
    return Command(f"dle_{data[at + 1]:02x}", data[at + 2 : at + 3]), at + 3


def _text(data: bytes, at: int) -> tuple[Command, int]:
    end = at
    while end < len(data) and (data[end] >= 0x20 or data[end] == 0x09):
        end += 1
    return Command("text", data=data[at:end]), end


def _next(data: bytes, at: int) -> tuple[Command, int]:
    byte = data[at]
    if byte == ESC:
        return _escape(data, at, _ESC_COMMANDS, "esc")
    if byte == GS:
        return _gs(data, at)
    if byte == DLE:
        return _dle(data, at)
    if byte == LF:
        return Command("lf"), at + 1
    if byte < 0x20 and byte != 0x09:
        return Command(f"control_{byte:02x}"), at + 1
    return _text(data, at)


def parse(data: bytes, *, final: bool = True) -> tuple[list[Command], int]:
    """Split data into commands; return them and how many bytes they used.

    With final=False a command cut off at the end is left unread, so a caller reading a socket can
    wait for the rest; a text run at the very end is also held back, as more letters may follow.
    """
    commands: list[Command] = []
    at = 0
    while at < len(data):
        try:
            command, end = _next(data, at)
        except _Incomplete:
            break
        if not final and command.name == "text" and end == len(data):
            break
        commands.append(Command(command.name, command.params, command.data, data[at:end]))
        at = end
    return commands, at
