"""SQLAlchemy models, one module per aggregate."""

from qserve.models.appointment import Appointment, SlotLoad
from qserve.models.audit import AuditEntry
from qserve.models.base import Base
from qserve.models.feedback import FeedbackAnswer, FeedbackForm
from qserve.models.kiosk import Kiosk
from qserve.models.notify import InboundSms, PushSubscription, SmsOptOut
from qserve.models.organization import Counter, Location, Organization, Service, counter_services
from qserve.models.outbox import OutboxMessage
from qserve.models.report import ReportSchedule
from qserve.models.ticket import Ticket, TicketEvent, TicketNumberCounter
from qserve.models.user import ROLES, ApiToken, User, user_locations

__all__ = [
    "ROLES",
    "ApiToken",
    "Appointment",
    "AuditEntry",
    "Base",
    "Counter",
    "FeedbackAnswer",
    "FeedbackForm",
    "InboundSms",
    "Kiosk",
    "Location",
    "Organization",
    "PushSubscription",
    "SmsOptOut",
    "OutboxMessage",
    "ReportSchedule",
    "Service",
    "SlotLoad",
    "Ticket",
    "TicketEvent",
    "TicketNumberCounter",
    "User",
    "counter_services",
    "user_locations",
]
