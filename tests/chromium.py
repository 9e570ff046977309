"""Headless Chromium for the browser tests (`browser_checks.py`, `lab_checks.py`):
Debian's Chromium and its driver, driven by selenium, with the network off but for
127.0.0.1, where the tests serve what they open."""

import shutil

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


def headless_chromium(width, height, *, console_log=False):
    """A new selenium driver of a headless Chromium window of ``width`` x ``height``
    pixels; ``console_log``: keep the pages' console messages (``get_log("browser")``).
    The caller quits it."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        f"--window-size={width},{height}",
    ):
        options.add_argument(arg)
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)
