"""Reading DLE EOT 1..4 answers, and splitting ESC/POS streams into commands."""

from __future__ import annotations

import pytest

from qserve.printing.escpos_stream import parse
from qserve.printing.status import PrinterStatus, decode_status, encode_status, status_query

OK = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        (OK, PrinterStatus.ONLINE),
        (OK | {4: 0x1E}, PrinterStatus.PAPER_NEAR_END),
        (OK | {4: 0x72}, PrinterStatus.PAPER_OUT),
        (OK | {1: 0x1A, 2: 0x32, 4: 0x7E}, PrinterStatus.PAPER_OUT),
        (OK | {1: 0x1A, 2: 0x16}, PrinterStatus.COVER_OPEN),
        (OK | {1: 0x1A, 2: 0x16, 4: 0x7E}, PrinterStatus.COVER_OPEN),
        (OK | {1: 0x1A}, PrinterStatus.OFFLINE),
        (OK | {3: 0x1A}, PrinterStatus.OFFLINE),
        ({1: 0x12, 2: 0x12}, PrinterStatus.UNKNOWN),
        (OK | {1: 0x00}, PrinterStatus.UNKNOWN),
        (OK | {4: 0xFF}, PrinterStatus.UNKNOWN),
    ],
)
def test_status_answers_decode_to_the_worst_condition(answers, expected):
    assert decode_status(answers) is expected


@pytest.mark.parametrize(
    "status", [status for status in PrinterStatus if status is not PrinterStatus.UNKNOWN]
)
def test_what_the_simulator_answers_decodes_back_to_the_same_status(status):
    assert decode_status(encode_status(status)) is status


def test_a_status_query_is_dle_eot_n():
    assert status_query(4) == b"\x10\x04\x04"


def test_a_stream_splits_into_commands_with_their_data():
    data = b"\x1b@\x1bt\x12Hej\n\x1d(k\x05\x001P0ab\x1d!\x77\x10\x04\x01\x1dV\x00"

    names = [command.name for command in parse(data)[0]]

    assert names == ["init", "codepage", "text", "lf", "2d_code", "size", "status", "cut"]


def test_a_status_query_inside_qr_data_is_not_taken_for_a_query():
    qr_data = b"1P0\x10\x04\x01"
    data = b"\x1d(k" + len(qr_data).to_bytes(2, "little") + qr_data

    assert [command.name for command in parse(data)[0]] == ["2d_code"]


def test_a_command_cut_off_at_the_end_waits_for_more_bytes():
    data = b"\x1b@\x1d(k\x10\x001P0https"

    commands, used = parse(data, final=False)

    assert [command.name for command in commands] == ["init"]
    assert used == 2


def test_raster_data_is_skipped_by_its_declared_size():
    image = b"\x1dv0\x00\x01\x00\x02\x00" + b"\x10\x04"

    assert [command.name for command in parse(image + b"\n")[0]] == ["raster", "lf"]
