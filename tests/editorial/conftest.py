"""The browser the editorial desk's browser tests drive: Debian's Chromium through Playwright."""

import socket
from email import message_from_bytes
from email import policy as email_policy

import pytest
from django.db import connections
from helpers import CHROMIUM, log_in


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()
        # ORM calls made while Playwright runs get their own connection context: close it, or
        # PostgreSQL refuses to drop the test database at the end of the session.
        connections.close_all()


@pytest.fixture
def new_context(page):
    """Makes another browser context (its own cookies: another person), closed after the test."""
    made = []

    def make():
        context = page.context.browser.new_context()
        context.set_default_timeout(15_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def editor_session(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.org", "a-long-password")
    return log_in(page, live_server.url, "editor", "a-long-password")


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that Django's SMTP backend sends to; its
    `messages` are the e-mails received, parsed: {"to", "subject", "body"}; stop() takes it
    down (nothing listens on its port then)."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []
            self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

        async def handle_DATA(self, server, session, envelope):
            message = message_from_bytes(envelope.content, policy=email_policy.default)
            self.messages.append(
                {
                    # Stripped: a long encoded header is folded onto a line of its own.
                    "to": str(message["To"]).strip(),
                    "subject": str(message["Subject"]).strip(),
                    "body": message.get_content(),
                }
            )
            return "250 Message accepted"

        def stop(self):
            if self.controller is not None:
                self.controller.stop()
                self.controller = None

    inbox = Inbox()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = inbox.controller.hostname, inbox.controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    inbox.controller.start()
    yield inbox
    inbox.stop()


def free_port() -> int:
    """A port nothing listens on now (the operating system's pick)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
