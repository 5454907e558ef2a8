"""A local SMTP server (aiosmtpd) for a whole module, and the set-password links in the e-mails it receives."""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from tests.bench.harness import free_port
from tests.test_outbox import Inbox

SET_PASSWORD_LINK = re.compile(r"https?://[^\s\"<]+/password/set/[A-Za-z0-9._-]+")


@contextmanager
def running_inbox() -> Iterator[tuple[Inbox, int]]:
    """Start an SMTP server on a free local port; yields its inbox and port, stops it afterwards."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def links_in(envelope) -> list[str]:
    """The set-password links in a received e-mail (decoded, so wrapped long lines are whole again)."""
    return SET_PASSWORD_LINK.findall(message_from_bytes(envelope.content, policy=policy.default).get_content())
