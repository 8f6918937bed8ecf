"""What every page is checked for in the browser, whoever uses it: screenshots at phone and desktop size, text
contrast (WCAG AA), and every control reached by Tab before the map's markers."""

from __future__ import annotations

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

SIZES = {"phone": (390, 844), "desktop": (1400, 900)}
MIN_CONTRAST = 4.5

# Every element with text of its own, with its colour and the first opaque background behind it: the WCAG ratio.
CONTRAST = """
const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
const lum = ([r, g, b]) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
};
const background = (el) => {
  for (let e = el; e; e = e.parentElement) {
    const c = parse(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
  }
  return [255, 255, 255];
};
const low = [];
for (const el of document.body.querySelectorAll("*")) {
  const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
  const style = getComputedStyle(el);
  if (!own || style.visibility === "hidden" || style.display === "none" || !el.getClientRects().length) continue;
  const fg = parse(style.color).slice(0, 3), bg = background(el);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  const ratio = (a + 0.05) / (b + 0.05);
  const what = el.tagName + "." + el.className + " '" + el.textContent.trim().slice(0, 20) + "' ";
  if (ratio < arguments[0]) low.push(what + ratio.toFixed(2));
}
return low;
"""

# what the focused element is: a marker of the map, or a control named by its id, name or text
FOCUSED = """
const el = document.activeElement;
if (!el || el === document.body) return null;
if (el.closest(".leaflet-marker-pane")) return "marker";
if (el.type === "radio") return "radio:" + el.name;
return el.tagName + "#" + (el.id || el.name || el.getAttribute("href") || el.textContent.trim().slice(0, 30));
"""
CONTROLS = """
return Array.from(document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea"))
  .filter((el) => !el.closest(".leaflet-container") && !el.disabled && el.getClientRects().length)
  .map((el) => el.type === "radio" ? "radio:" + el.name
    : el.tagName + "#" + (el.id || el.name || el.getAttribute("href") || el.textContent.trim().slice(0, 30)));
"""


def check_page(browser, screenshots, name: str) -> None:
    """Screenshots at both sizes, text contrast, and every control reachable by Tab before the map's markers."""
    for size, (width, height) in SIZES.items():
        browser.set_window_size(width, height)
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(screenshots / f"{name}-{size}.png"))
        low = browser.execute_script(CONTRAST, MIN_CONTRAST)
        assert low == [], (name, size, low)
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    controls = set(browser.execute_script(CONTROLS))
    browser.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    seen: list[str | None] = []
    for _ in range(len(controls) * 2 + 10):
        # pressed on the keyboard, not sent to an element: a file input takes an element's keys as a file name
        ActionChains(browser).send_keys(Keys.TAB).perform()
        focused = browser.execute_script(FOCUSED)
        if focused == "marker" or (seen and focused == seen[0]):
            break
        seen.append(focused)
    assert controls <= set(seen), (name, controls - set(seen))
