"""SQL for the email outbox."""
from __future__ import annotations

from backend.repositories import Repository

# Queue one message; it is sent after the surrounding transaction commits.
ADD_MESSAGE = "INSERT INTO email_outbox (to_addr, subject, body_text) VALUES (%s, %s, %s)"


class MailRepository(Repository):
    def add_message(self, to_addr: str, subject: str, body_text: str) -> int:
        """Queue a message inside the caller's transaction; returns its id."""
        return self._insert(ADD_MESSAGE, (to_addr, subject, body_text))
