"""What a mail server's answer means for one mail: sent later, or never.

Mail tasks (``common.tasks.MailTask``) try again on ``MAIL_AWAY``; a task that sends to many
people one after another skips whoever is ``refused_for_good`` and keeps the others going with
``RecipientRefusals``.
"""

import logging
from contextlib import contextmanager
from smtplib import SMTPDataError, SMTPRecipientsRefused

logger = logging.getLogger(__name__)

# The mail server away, unreachable, slow or refusing for now: smtplib's errors, a refused
# connection, a timeout, a name that does not resolve and TLS errors are all OSErrors.
MAIL_AWAY = (OSError,)
# What a mail server answers about one mail (its recipients or its content), not about itself.
REFUSED = (SMTPRecipientsRefused, SMTPDataError)


def refused_for_good(error: BaseException | None) -> bool:
    """Whether the mail server refused this mail with a permanent (5xx) answer: for every
    recipient, or for the message. A refusal of the sender or of the login is not: that is the
    service's own settings, and the mail waits until they are put right."""
    if isinstance(error, SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return isinstance(error, SMTPDataError) and 500 <= error.smtp_code < 600


def refusal_codes(error: BaseException) -> str:
    """The mail server's answer codes of a refusal, for the log (the addresses stay out)."""
    if isinstance(error, SMTPRecipientsRefused):
        return ", ".join(str(code) for code, _ in error.recipients.values())
    return str(getattr(error, "smtp_code", "?"))


class RecipientRefusals:
    """For a task that mails many people: one refused mail does not stop the others.

    Around each mail (and what records it), ``with refusals.about(what):`` swallows a refusal
    of that mail, logged with ``what`` and never with the address. After the loop,
    ``refusals.raise_postponed()`` raises the first refusal that was only for now, so that the
    task tries again for those."""

    def __init__(self):
        self.postponed: BaseException | None = None

    @contextmanager
    def about(self, what: str):
        try:
            yield
        except REFUSED as error:
            if refused_for_good(error):
                logger.warning("%s refused for good by the mail server", what)
            else:
                logger.warning("%s refused for now by the mail server; tried again", what)
                self.postponed = self.postponed or error

    def raise_postponed(self) -> None:
        if self.postponed is not None:
            raise self.postponed
