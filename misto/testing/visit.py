"""One person's browser for the modules' browser tests (petitions, appeals and budget each
had a copy): a Playwright context at phone or desktop size in the person's language, signed
in at a sign-in level, whose every checked page must pass axe, fit the screen and raise no
script error."""

from __future__ import annotations

from typing import Any

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


class Visit:
    def __init__(self, browser: Any, live_server: Any, user: Any, language: str, device: str,
                 *, level: str = "verified", prefix: str = "misto") -> None:
        from django.conf import settings

        from misto.testing.world import signed_in

        self.context = browser.new_context(viewport=VIEWPORTS[device],
                                           locale="uk-UA" if language == "uk" else "en-GB")
        jar = [{"name": "django_language", "value": language, "url": live_server.url}]
        if user is not None:
            name = settings.SESSION_COOKIE_NAME
            jar.append({"name": name, "value": signed_in(user, level).cookies[name].value,
                        "url": live_server.url})
        self.context.add_cookies(jar)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.base = live_server.url
        self.name = f"{prefix}-{{shot}}-{device}-{language}"

    def goto(self, path: str) -> Any:
        self.page.goto(self.base + path)
        return self.page

    def check(self, shot: str) -> None:
        """Readable as it is: no axe violation, nothing wider than the screen."""
        from misto.core.tests.browser import axe_violations, screenshot

        assert axe_violations(self.page) == [], shot
        assert self.page.evaluate(
            "() => document.documentElement.scrollWidth <= window.innerWidth"), shot
        screenshot(self.page, self.name.format(shot=shot))

    def close(self) -> None:
        assert self.errors == []
        self.context.close()
