"""Phone-sized Chromium pages for the phone page tests, and a place for their screenshots."""

from __future__ import annotations

import pytest

PHONE = {"width": 360, "height": 740}
# Record vibrations: headless Chromium has no vibration motor to ask.
RECORD_VIBRATION = (
    "window.__vibrations = []; navigator.vibrate = function (p) { __vibrations.push(p); return true; };"
)


@pytest.fixture
def phone(browser):
    """Return a function opening a new 360x740 touch phone page in a language; closes them afterwards."""
    contexts = []

    def open_page(language: str = "en", *, init_script: str = "", permissions: list[str] | None = None):
        context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale={"en": "en-GB", "fi": "fi-FI", "sv": "sv-SE", "pl": "pl-PL"}[language],
            permissions=permissions or [],
        )
        context.add_init_script(RECORD_VIBRATION + init_script)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def shots(artifacts):
    """Return a function saving a full-page screenshot of a step under artifacts/mobile/."""
    folder = artifacts / "mobile"
    folder.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str, *, full_page: bool = True) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page, animations="disabled")

    return shoot
