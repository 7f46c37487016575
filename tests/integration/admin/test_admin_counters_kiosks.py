"""Administration of a location's counters and kiosks on a real database: the services each counter
serves, a kiosk's printer in the shape the printing code reads, and the audit entry of each change."""

from __future__ import annotations

import pytest

from qserve.admin import services
from qserve.db import read_session
from qserve.domain.errors import Conflict, ValidationFailed
from qserve.models import Counter, Kiosk
from tests.integration.admin.helpers import audit_rows, editor_of, organization


@pytest.fixture
def org(make):
    """An organization with two locations, users of every role and a foreign location."""
    return organization(make)


def test_counters_are_added_and_reassigned_with_their_services_audited(org, clock):
    manager = editor_of(org["manager"]["id"])
    first, second = org["north"]["service_ids"]
    counter_id = services.save_counter(
        editor=manager,
        location_id=org["north"]["id"],
        counter_id=None,
        name="Desk 9",
        service_ids=[first],
        now=clock(),
    )
    services.save_counter(
        editor=manager,
        location_id=org["north"]["id"],
        counter_id=counter_id,
        name="Desk 9",
        service_ids=[first, second],
        now=clock(),
    )
    with read_session() as session:
        assert sorted(s.id for s in session.get(Counter, counter_id).services) == [first, second]
    with pytest.raises(ValidationFailed):
        services.save_counter(
            editor=manager,
            location_id=org["north"]["id"],
            counter_id=counter_id,
            name="Desk 9",
            service_ids=org["south"]["service_ids"],
            now=clock(),
        )
    with pytest.raises(Conflict):
        services.save_counter(
            editor=manager,
            location_id=org["north"]["id"],
            counter_id=None,
            name="1",
            service_ids=[],
            now=clock(),
        )
    create, update = audit_rows()
    assert create.changes == {"name": [None, "Desk 9"], "service_ids": [None, [first]]}
    assert update.changes == {"service_ids": [[first], [first, second]]}


def test_a_kiosk_gets_a_printer_the_printing_code_understands(org, clock):
    from qserve.kiosk.kiosks import settings_of

    manager = editor_of(org["manager"]["id"])
    typed = {
        "printer_kind": "network",
        "printer_host": "10.0.0.5",
        "printer_port": "9100",
        "offers_assistance": "1",
    }
    kiosk_id = services.save_kiosk(
        editor=manager,
        location_id=org["north"]["id"],
        kiosk_id=None,
        now=clock(),
        name="Door",
        slug="door",
        is_active=True,
        form=typed,
        languages=["fi", "en"],
    )
    with read_session() as session:
        kiosk = session.get(Kiosk, kiosk_id)
        assert kiosk.printer == {"kind": "network", "host": "10.0.0.5", "port": 9100}
        assert settings_of(kiosk).offers_assistance and settings_of(kiosk).languages == ("en", "fi")
    with pytest.raises(ValidationFailed) as error:
        services.save_kiosk(
            editor=manager,
            location_id=org["north"]["id"],
            kiosk_id=kiosk_id,
            now=clock(),
            name="Door",
            slug="door",
            is_active=True,
            form={"printer_kind": "usb"},
            languages=[],
        )
    assert error.value.field == "printer_vendor_id"
    [entry] = audit_rows()
    assert entry.entity_type == "kiosk" and entry.changes["printer"][1]["host"] == "10.0.0.5"
