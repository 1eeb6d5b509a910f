"""Every table of the schema; importing this module registers them all on `Base.metadata`."""

from storage.models.base import Base
from storage.models.cases import Case, CaseOwnerChange, Handoff, Promise
from storage.models.contact import (
    AdvisorContactTally,
    CaseContactCount,
    ContactEvent,
    CustomerContact,
    WrapUpDraft,
)
from storage.models.money import Feedback, Goodwill, Offer, OfferImpression
from storage.models.people import AccountOwnerChange, Customer, CustomerDetailChange, CustomerPhone, User
from storage.models.system import (
    AuditEntry,
    AuditHead,
    ChangeLog,
    Holding,
    MutationLog,
    OutboxEntry,
    SyncCursor,
    SyncIdentity,
    SyncSnapshot,
)

__all__ = [
    "AccountOwnerChange",
    "AdvisorContactTally",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Case",
    "CaseContactCount",
    "CaseOwnerChange",
    "ChangeLog",
    "ContactEvent",
    "Customer",
    "CustomerContact",
    "CustomerDetailChange",
    "CustomerPhone",
    "Feedback",
    "Goodwill",
    "Handoff",
    "Holding",
    "MutationLog",
    "Offer",
    "OfferImpression",
    "OutboxEntry",
    "Promise",
    "SyncCursor",
    "SyncIdentity",
    "SyncSnapshot",
    "User",
    "WrapUpDraft",
]
