"""The change log shows values as the forms take them: hours by weekday, the fairness rule by name,
minutes where the form asks for minutes, names per language; never the stored JSON."""

from __future__ import annotations

import html
import re

from tests.web.admin.test_admin_pages import location_form, sign_in


def changes_shown(client, location_id: int) -> list[str]:
    """Return the text of each change on the audit page of a location, newest first."""
    page = client.get(f"/admin/audit?location={location_id}").text
    return [
        html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<dd>(.*?)</dd>", page, flags=re.S)
    ]


def test_hours_and_the_fairness_rule_read_as_typed(client, org):
    sign_in(client, org["admin"]["email"])
    north = org["north"]["id"]
    typed = location_form(
        hours_mon="08:00-12:00, 13:00-16:00",
        hours_sat="10:00-14:00",
        exceptions="2026-12-24 closed",
        fairness_kind="max_in_row",
        fairness_max_in_row="2",
    )
    assert client.post(f"/admin/locations/{north}", data=typed).status_code == 303
    shown = changes_shown(client, north)
    assert "— → Monday 08:00-12:00, 13:00-16:00 · Saturday 10:00-14:00 · 2026-12-24 Closed" in shown
    assert "Priority always first → At most N priority in a row: 2" in shown
    assert not any("[[" in change or "{" in change for change in shown)


def test_a_service_duration_reads_in_the_minutes_its_form_asks_for(client, org):
    sign_in(client, org["manager"]["email"])
    service_id = org["north"]["service_ids"][0]
    form = {"name_en": "Parcels", "name_fi": "Paketit", "prefix": "A", "duration_min": "7"}
    form |= {"position": "0", "mode": "inherit", "is_open": "1"}
    assert client.post(f"/admin/services/{service_id}", data=form).status_code == 303
    shown = changes_shown(client, org["north"]["id"])
    assert any(change.endswith("→ 7") for change in shown), shown
    assert any("en: Parcels · fi: Paketit" in change for change in shown), shown
