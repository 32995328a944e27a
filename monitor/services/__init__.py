"""Every write of the monitor app. Views, the admin, commands and tasks call these functions."""

from .accounts import (
    account_deactivate,
    account_issue,
    password_link_enqueue,
    password_link_send,
    password_link_url,
    penvoerder_handover,
    role_change,
)
from .servicedesk import (
    announcement_create,
    announcement_deliver,
    deadline_reminders_send,
    edition_deadline_set,
    scan_extension_set,
)

__all__ = [
    "account_deactivate",
    "account_issue",
    "announcement_create",
    "announcement_deliver",
    "deadline_reminders_send",
    "edition_deadline_set",
    "password_link_enqueue",
    "password_link_send",
    "password_link_url",
    "penvoerder_handover",
    "role_change",
    "scan_extension_set",
]
