// Launches Debian's Chromium through playwright-core (no browser download; see TOOLCHAIN.md §8).
import { chromium } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** `extra` is merged into the launch options (e.g. `ignoreDefaultArgs: ["--disable-popup-blocking"]`). */
export function launchBrowser(extra = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BIN || "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    ...extra,
  });
}

/** Collects page errors and console errors so a test can assert a clean page. */
export function watchPage(page, sink = []) {
  page.on("pageerror", (e) => sink.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") sink.push(`console: ${m.text()}`);
  });
  return sink;
}
