"""smeqa is wiring, not a domain app: it is installed only so that its sign-in signal is connected
once, at start-up, before any sign-in (the test client's force_login included)."""

from django.apps import AppConfig


class SmeqaConfig(AppConfig):
    name = "smeqa"
    verbose_name = "SMEQA wiring"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .signin import stamp_session

        user_logged_in.connect(stamp_session, dispatch_uid="smeqa.signin.stamp_session")
