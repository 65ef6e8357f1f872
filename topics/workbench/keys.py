"""Keyboard and assistive technology in the workbench: shortcuts, a skip link, visible focus, accessible widgets.

:class:`KeyBar` is a small Panel component shown above the tabs. Its script (run once in the browser)

* listens for the shortcuts in :data:`SHORTCUTS` anywhere in the page and sends the command to Python,
  which presses the button of that name (the same code path as a mouse click; a disabled button does
  nothing). Before sending, the field being typed in is blurred so that its text reaches Python first,
  then focused again;
* offers a "Skip to the actions" link (the first stop of the Tab key, also Alt+Shift+A) that focuses the
  Topics box of the action form;
* makes the tab headers work with Enter and Space (Bokeh gives them a tab stop but no key handling) and
  marks them as ARIA tabs;
* gives every focused widget a visible focus ring (Bokeh draws widgets in shadow roots, where the page's
  own CSS does not reach: the ring's style sheet is adopted by each shadow root the focus enters);
* repairs what the widgets lack for screen readers: hidden tab panels are made ``inert`` (they hold
  focusable widgets), Tabulator's scroll holder loses a stray tab stop inside its ``grid`` and the spin
  buttons of number boxes get names.
"""

from __future__ import annotations

from typing import Any

import param
from panel.reactive import ReactiveHTML

SHORTCUTS: dict[str, tuple[str, str]] = {
    "undo": ("Ctrl+Z", "Undo"),
    "redo": ("Ctrl+Shift+Z or Ctrl+Y", "Redo"),
    "merge": ("Alt+Shift+M", "Merge"),
    "rename": ("Alt+Shift+R", "Rename"),
    "drop": ("Alt+Shift+D", "Drop"),
    "note": ("Alt+Shift+N", "Note"),
}
"""Command -> (keys, button pressed). Ctrl+Z in a text box that holds text undoes the typing instead."""

FOCUS_CSS = (
    ":focus-visible, button:focus, a:focus, [role=tab]:focus"
    " { outline: 3px solid #1a5fb4 !important; outline-offset: 2px !important; }"
    " .bk-tab:focus { outline-offset: -3px !important; }"
)

_SCRIPT = r"""
skip.addEventListener('click', (e) => { e.preventDefault(); window.__wbKeys.focusActions(); });
if (window.__wbKeys) { window.__wbKeys.data = data; window.__wbKeys.bars.push(keys); return; }
const wb = window.__wbKeys = {data: data, count: 0, bars: [keys]};
function appTop() {  // the app's outermost element (from a key bar still on the page): keys count only inside it
  const bar = wb.bars.filter((b) => b.isConnected).pop();
  if (!bar) return null;
  let top = bar;
  while (top.getRootNode() instanceof ShadowRoot) top = top.getRootNode().host;
  return top;
}
const sheet = new CSSStyleSheet();
sheet.replaceSync(FOCUS_CSS_TEXT);
function adopt(root) {
  try {
    if (root && root.adoptedStyleSheets && !root.adoptedStyleSheets.includes(sheet))
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch (err) { /* a root that takes no sheet keeps the browser's own focus style */ }
}
function adoptUp(el) {  // every shadow root from an element out to the document
  let root = el && el.getRootNode ? el.getRootNode() : null;
  while (root instanceof ShadowRoot) { adopt(root); root = root.host.getRootNode(); }
}
adopt(document);
function walk(root, fn) {
  for (const el of root.querySelectorAll('*')) { fn(el); if (el.shadowRoot) walk(el.shadowRoot, fn); }
}
function deepActive() {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return a;
}
function repair() {
  walk(document, (el) => { try { fix(el); } catch (err) { /* leave an element we cannot fix */ } });
}
function fix(el) {
  {
    if (el.shadowRoot) adopt(el.shadowRoot);
    const cls = el.classList;
    if (cls.contains('bk-tab')) {
      el.setAttribute('role', 'tab');
      el.setAttribute('aria-selected', cls.contains('bk-active') ? 'true' : 'false');
      if (el.parentElement) el.parentElement.setAttribute('role', 'tablist');
    } else if (cls.contains('tabulator-tableholder') && el.hasAttribute('tabindex')) {
      el.removeAttribute('tabindex');
    } else if (cls.contains('bk-spin-btn-up') && !el.hasAttribute('aria-label')) {
      el.setAttribute('aria-label', 'one more'); el.tabIndex = -1;
    } else if (cls.contains('bk-spin-btn-down') && !el.hasAttribute('aria-label')) {
      el.setAttribute('aria-label', 'one fewer'); el.tabIndex = -1;
    }
    const hidden = el.getAttribute('aria-hidden') === 'true' && el.style && el.style.visibility === 'hidden';
    if (hidden && !el.inert) { el.inert = true; el.dataset.wbInert = '1'; }
    else if (!hidden && el.dataset && el.dataset.wbInert) { el.inert = false; delete el.dataset.wbInert; }
  }
}
wb.repair = repair;
function focusActions() {
  const found = [];
  walk(document, (el) => { if (el.tagName === 'INPUT' && el.placeholder === 'e.g. 3, 7') found.push(el); });
  if (found.length) { found[0].focus(); found[0].select(); }
}
wb.focusActions = focusActions;
function send(command) {
  const a = deepActive();
  if (a && a.blur && (a.tagName === 'INPUT' || a.tagName === 'TEXTAREA')) {
    a.blur();  // its change event sends the text typed before the command
    setTimeout(() => a.focus(), 0);
  }
  wb.count += 1;
  wb.data.command = command + ':' + wb.count;
}
document.addEventListener('keydown', (e) => {
  const path = e.composedPath();
  const target = path[0];
  // only keys pressed in the app (or on the page of the app served alone): never a notebook's own keys
  const alone = document.title === 'Curation workbench' && target === document.body;
  const top = appTop();
  if (top && !alone && !path.includes(top)) return;
  const key = (e.key || '').toLowerCase();
  if ((key === 'enter' || key === ' ') && target && target.classList && target.classList.contains('bk-tab')) {
    e.preventDefault(); target.click(); return;
  }
  const typing = target && (target.isContentEditable || target.tagName === 'TEXTAREA' || (target.tagName === 'INPUT' &&
    !['checkbox', 'radio', 'button', 'submit'].includes(target.type)));
  let command = null;
  if ((e.ctrlKey || e.metaKey) && !e.altKey) {
    if (key === 'z' && !e.shiftKey && !(typing && target.value)) command = 'undo';
    else if ((key === 'z' && e.shiftKey) || (key === 'y' && !e.shiftKey)) command = (typing && target.value) ? null : 'redo';
  } else if (e.altKey && e.shiftKey && !e.ctrlKey) {
    const code = (e.code || '').replace('Key', '').toLowerCase();
    command = {m: 'merge', r: 'rename', d: 'drop', n: 'note'}[code] || null;
    if (code === 'a') { e.preventDefault(); focusActions(); return; }
  }
  if (command) { e.preventDefault(); send(command); }
}, true);
document.addEventListener('focusin', (e) => {
  for (const node of e.composedPath()) if (node instanceof ShadowRoot) adopt(node);
  adoptUp(e.composedPath()[0]);
}, true);
document.addEventListener('keyup', () => adoptUp(deepActive()), true);
repair();
setInterval(repair, 1000);
""".replace("FOCUS_CSS_TEXT", repr(FOCUS_CSS))


def shortcut_help() -> str:
    """The shortcuts as one line of text (shown above the tabs)."""
    keys = " · ".join(f"{k}: {button.lower()}" for k, button in SHORTCUTS.values())
    return f"Keyboard: Alt+Shift+A: go to the actions · {keys} · Enter or Space opens a tab"


class KeyBar(ReactiveHTML):
    """The skip link and the line of shortcuts; :attr:`command` receives ``"undo:3"``-style commands."""

    command = param.String(default="", doc="The last shortcut pressed, as 'name:count' (count makes each new).")
    help_text = param.String(default="")

    _template = (
        '<div class="wb-keys" id="keys"><a href="#" id="skip" class="wb-skip">Skip to the actions</a>'
        '<span class="wb-shortcuts">${help_text}</span></div>'
    )
    _stylesheets = [  # noqa: RUF012 (a Panel class attribute)
        ".wb-keys { font-size: 0.9em; color: #333; padding: 2px 0; }"
        ".wb-skip { margin-right: 1em; color: #0b4f9c; }"
        ".wb-skip:focus-visible { outline: 3px solid #1a5fb4; outline-offset: 2px; }"
    ]
    _scripts = {"render": _SCRIPT}  # noqa: RUF012

    def __init__(self, **params: Any) -> None:
        params.setdefault("help_text", shortcut_help())
        super().__init__(**params)
