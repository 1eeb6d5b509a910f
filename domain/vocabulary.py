"""The fixed vocabularies stored in the database (channels, states, kinds), as string enums."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADVISOR = "advisor"
    SUPERVISOR = "supervisor"


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    SOCIAL = "social"
    LETTER = "letter"
    CHAT = "chat"
    VISIT = "visit"
    SYSTEM = "system"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    WORK = "work"


class CaseKind(StrEnum):
    BROADBAND_FAULT = "broadband_fault"
    LANDLINE_FAULT = "landline_fault"
    MOBILE_FAULT = "mobile_fault"
    NEW_SERVICE = "new_service"
    HOME_MOVE = "home_move"
    BILLING = "billing"
    PLAN_CHANGE = "plan_change"
    ENGINEER_APPOINTMENT = "engineer_appointment"
    SERVICE_REQUEST = "service_request"
    COMPLAINT = "complaint"


class CaseStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    AWAITING_CUSTOMER = "awaiting_customer"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self not in (CaseStatus.RESOLVED, CaseStatus.CLOSED)


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Confirmation(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    NOT_REACHABLE = "not_reachable"
    TOLD_IN_WRITING = "told_in_writing"


class PromiseKind(StrEnum):
    CALLBACK = "callback"
    PROGRESS_UPDATE = "progress_update"
    ENGINEER_VISIT = "engineer_visit"
    CREDIT = "credit"
    COMPLAINT_DEADLINE = "complaint_deadline"
    LETTER = "letter"


class PromiseStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    NOT_REACHABLE = "not_reachable"
    RESCHEDULED = "rescheduled"


class HandoffKind(StrEnum):
    ORDER = "order"
    TASK = "task"


class Team(StrEnum):
    FRONT_LINE = "front_line"
    SALES = "sales"
    PROVISIONING = "provisioning"
    TECHNICAL = "technical"
    BILLING = "billing"
    FIELD_ENGINEERS = "field_engineers"
    COMPLAINTS = "complaints"


class HandoffStatus(StrEnum):
    AWAITING_ACK = "awaiting_ack"
    ACKNOWLEDGED = "acknowledged"
    DONE = "done"
    CANCELLED = "cancelled"


class GoodwillKind(StrEnum):
    GOODWILL_CREDIT = "goodwill_credit"
    COMPENSATION = "compensation"
    FEE_WAIVER = "fee_waiver"
    REFUND = "refund"


class GoodwillState(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_SECOND_APPROVAL = "awaiting_second_approval"
    APPROVED = "approved"
    REJECTED = "rejected"


class Authorisation(StrEnum):
    SELF_WITHIN_LIMIT = "self_within_limit"
    SUPERVISOR = "supervisor"
    SECOND_SUPERVISOR = "second_supervisor"


class MutationState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CONFLICT = "conflict"
