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

__all__ = [
    "account_deactivate",
    "account_issue",
    "password_link_enqueue",
    "password_link_send",
    "password_link_url",
    "penvoerder_handover",
    "role_change",
]
