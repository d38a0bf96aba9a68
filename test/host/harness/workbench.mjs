// What "the Keel view is showing" means in the web workbench's DOM, shared by the test shim (after the
// suite ran) and the `npm start` check. Selectors are VS Code 1.100's; keep them here only.
/** Logged by the host suite (test/host/suite/index.ts) when the workbench is ready to be photographed. */
export const SCREENSHOT_REQUEST = '[keel-host] screenshot please';
/** Logged as `${PANEL_SCREENSHOT_REQUEST} <name>`: photograph the side bar only, as test-results/panel-<name>.png. */
export const PANEL_SCREENSHOT_REQUEST = '[keel-host] panel screenshot';
/** Logged as `${PAGE_SCREENSHOT_REQUEST} <name>`: photograph the whole window (editors too), as test-results/page-<name>.png. */
export const PAGE_SCREENSHOT_REQUEST = '[keel-host] page screenshot';
/**
 * Logged as `${CLICK_NOTIFICATION_REQUEST} <id> <label>`: click the button `label` of a visible
 * notification, as a user answering it would (an extension test cannot answer its own
 * showInformationMessage). The result goes to `<KEEL_SHOT_REPORT>.click-<id>`.
 */
export const CLICK_NOTIFICATION_REQUEST = '[keel-host] click notification';
/**
 * Logged as `${PRESS_KEY_REQUEST} <id> <key>`: wait for ghost text (inline completion) in the focused
 * editor, read it from the DOM, then press `key` (Playwright key name, e.g. Tab) as a user would.
 * The result, with the ghost text seen, goes to `<KEEL_SHOT_REPORT>.key-<id>`.
 */
export const PRESS_KEY_REQUEST = '[keel-host] press key';

/** VS Code 1.100 renders inline-completion ghost text in these decorations. */
const GHOST_TEXT = '.part.editor .monaco-editor .ghost-text-decoration, .part.editor .monaco-editor .ghost-text';

/** Waits for visible ghost text, returns it, then presses `key` on the page (the editor has focus). */
export async function pressKeyOverGhostText(page, key, timeout = 20_000) {
  const ghost = page.locator(GHOST_TEXT).first();
  await ghost.waitFor({ state: 'visible', timeout });
  const text = (await page.locator(GHOST_TEXT).allInnerTexts()).join('\n');
  await page.keyboard.press(key);
  return text;
}

/** Clicks the first visible notification button labelled `label`. */
export async function clickNotificationButton(page, label) {
  const button = page.locator('.notifications-toasts .notification-toast .monaco-button', { hasText: label }).first();
  await button.waitFor({ state: 'visible', timeout: 15_000 });
  await button.click();
}

const KEEL_ACTIVITY = '.activitybar .action-item:has(a[aria-label^="Keel"])';
const KEEL_VIEWLET = '[id="workbench.view.extension.keel"]';

export async function openKeelView(page, timeout = 60_000) {
  const item = page.locator(KEEL_ACTIVITY);
  await item.waitFor({ timeout });
  if (!((await item.getAttribute('class')) ?? '').includes('checked')) await item.locator('a').click();
}

/** @returns {Promise<{ ok: boolean, detail: string }>} */
export async function checkKeelViewShowing(page, timeout = 20_000) {
  const problems = [];
  const item = page.locator(KEEL_ACTIVITY);
  if (!(await item.isVisible())) problems.push('no Keel item in the activity bar');
  else if (!((await item.getAttribute('class')) ?? '').includes('checked')) problems.push('the Keel activity-bar item is not selected');
  const viewlet = page.locator(KEEL_VIEWLET);
  await viewlet.waitFor({ state: 'visible', timeout }).catch(() => problems.push('the Keel side bar is not visible'));
  const title = (await page.locator('.part.sidebar .composite.title h2').textContent().catch(() => ''))?.trim() ?? '';
  // A webview is an iframe.webview hosting iframe#active-frame; the chat renders inside the latter.
  const webviewBody = page.frameLocator('iframe.webview').frameLocator('#active-frame').locator('body');
  let text = '';
  try {
    await webviewBody.locator('*').first().waitFor({ state: 'visible', timeout });
    text = (await webviewBody.innerText()).replace(/\s+/g, ' ').trim();
  } catch {
    problems.push('the chat webview rendered nothing visible');
  }
  if (!text) problems.push('the chat webview has no text');
  const detail = problems.length ? problems.join('; ') : `side bar "${title}", webview text "${text.slice(0, 80)}"`;
  return { ok: problems.length === 0, detail };
}
