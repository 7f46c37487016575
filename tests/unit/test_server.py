"""`qserve run` warns when ticket links would point at another port than the one it serves."""

from qserve.server import unset_public_url_warning

DEFAULT = "http://127.0.0.1:5000"


def test_a_server_on_another_port_without_a_public_url_is_warned_of():
    warning = unset_public_url_warning({}, public_url=DEFAULT, port=8000)

    assert "QSERVE_PUBLIC_URL is not set" in warning
    assert DEFAULT in warning and "port 8000" in warning


def test_no_warning_on_the_default_port_or_with_a_public_url_set():
    assert unset_public_url_warning({}, public_url=DEFAULT, port=5000) is None
    behind_proxy = {"QSERVE_PUBLIC_URL": "https://queue.example.org"}
    assert unset_public_url_warning(behind_proxy, public_url="https://queue.example.org", port=8000) is None


def test_python_escpos_routine_lines_are_dropped_and_its_warnings_kept():
    import logging
    import os

    from qserve.config import quiet_escpos

    def record(level, path):
        return logging.LogRecord(
            "root", level, path, 130, "Closing Network connection to printer %s", ("x",), None
        )

    escpos = os.path.join("site-packages", "escpos", "printer", "network.py")
    assert not quiet_escpos(record(logging.INFO, escpos))
    assert quiet_escpos(record(logging.WARNING, escpos))
    assert quiet_escpos(record(logging.INFO, os.path.join("qserve", "kiosk", "printers.py")))
