"""Headless Debian Chromium driven by Playwright, for the console's browser tests; every page
a test visits can be saved as a screenshot under test-output/screenshots/."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = Path(os.environ.get("AFTERCARE_CHROMIUM", "/usr/bin/chromium"))
INSTALLED = CHROMIUM.exists()
SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's chromium (never a downloaded browser). Missing on CI is a failure: `make test`
    installs it; elsewhere the test is skipped and says why."""
    if not INSTALLED:
        message = f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--no-sandbox", "--no-proxy-server", "--disable-gpu"],
        )
        try:
            yield browser
        finally:
            await browser.close()


async def screenshot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
