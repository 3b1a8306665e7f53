import { expect, type Locator, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { createHmac } from 'node:crypto';

// ---------------------------------------------------------------------------
// Demo data created by `relais serve --demo`.
// ---------------------------------------------------------------------------

export const DEMO_PASSWORD = 'demo-relais-2026';
export const DEMO = {
  agent: 'agent@demoville.test',
  mediateur: 'mediateur@demoville.test',
  responsable: 'responsable@demoville.test',
  admin: 'admin@demoville.test',
} as const;
export const DEMO_AGENT_NAME = 'Camille Agent';
export const DEMO_STRUCTURE = 'CCAS de Démoville';

/** A suffix that is unique for this run, for e-mails, names and slugs. */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

// ---------------------------------------------------------------------------
// Accessibility
// ---------------------------------------------------------------------------

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core on the current page (WCAG 2.0/2.1 A and AA rules) and fails the
 * test with the list of violations (rule id and the targets of every node).
 * Then checks that the page does not scroll sideways on a phone
 * (`checkPhoneWidth`), so every page the accessibility sweep visits is
 * measured at 390 px too.
 */
export async function checkA11y(page: Page, label?: string): Promise<void> {
  await page.waitForLoadState('load');
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const violations = results.violations.map((v) => {
    const targets = v.nodes
      .map((n) => n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' '))
      .join(' | ');
    return `${v.id} [${v.impact ?? 'n/a'}] ${v.help} -> ${targets}`;
  });
  expect(violations, `axe violations on ${label ?? new URL(page.url()).pathname}`).toEqual([]);
  await checkPhoneWidth(page, label);
}

/** The width of a common phone held upright, in CSS pixels. */
export const PHONE_WIDTH = 390;

/**
 * Fails when the current page, shown `PHONE_WIDTH` pixels wide, is wider
 * than the screen (`document.documentElement.scrollWidth > innerWidth`),
 * naming the widest elements that stick out. The viewport size is put back
 * afterwards.
 */
export async function checkPhoneWidth(page: Page, label?: string): Promise<void> {
  const previous = page.viewportSize();
  await page.setViewportSize({ width: PHONE_WIDTH, height: previous?.height ?? 800 });
  let offenders: string[];
  try {
    offenders = await page.evaluate(() => {
      const width = window.innerWidth;
      if (document.documentElement.scrollWidth <= width) {
        return [];
      }
      // A box inside a container that clips or scrolls sideways does not
      // widen the page: only the outermost boxes that stick out count.
      const clips = (el: Element): boolean => getComputedStyle(el).overflowX !== 'visible';
      const sticksOut = (el: Element): boolean => el.getBoundingClientRect().right > width + 0.5;
      const name = (el: Element): string => {
        let s = el.tagName.toLowerCase();
        if (el.id) s += `#${el.id}`;
        for (const c of Array.from(el.classList).slice(0, 3)) s += `.${c}`;
        return s;
      };
      const path = (el: Element): string => {
        const parts: string[] = [];
        for (let e: Element | null = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
          parts.unshift(name(e));
          if (e.id) break;
        }
        return parts.join(' > ');
      };
      const found: { text: string; right: number }[] = [];
      for (const el of Array.from(document.body.querySelectorAll('*'))) {
        if (!sticksOut(el)) continue;
        let outermost = true;
        let clipped = false;
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          if (clips(p)) clipped = true;
          if (p === el.parentElement && sticksOut(p)) outermost = false;
        }
        if (clipped || !outermost) continue;
        const r = el.getBoundingClientRect();
        found.push({
          text: `${path(el)} (right edge at ${Math.round(r.right)} px, ${Math.round(r.width)} px wide)`,
          right: r.right,
        });
      }
      found.sort((a, b) => b.right - a.right);
      const list = found.slice(0, 5).map((f) => f.text);
      return list.length > 0
        ? list
        : [`the page is ${document.documentElement.scrollWidth} px wide (no single element named)`];
    });
  } finally {
    if (previous) {
      await page.setViewportSize(previous);
    }
  }
  expect(
    offenders,
    `${label ?? new URL(page.url()).pathname} scrolls sideways at ${PHONE_WIDTH} px; widest elements sticking out`,
  ).toEqual([]);
}

// ---------------------------------------------------------------------------
// TOTP (RFC 6238, HMAC-SHA1, 30 s step) with a hand-written base32 decoder
// ---------------------------------------------------------------------------

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Decodes RFC 4648 base32; whitespace, dashes and padding are ignored, case-insensitive. */
export function base32Decode(input: string): Buffer {
  const clean = input.replace(/[\s-]/g, '').replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const index = BASE32_ALPHABET.indexOf(ch);
    if (index < 0) {
      throw new Error(`invalid base32 character ${JSON.stringify(ch)} in ${JSON.stringify(input)}`);
    }
    buffer = ((buffer << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

export const TOTP_STEP_SECONDS = 30;

/** The RFC 6238 time step (counter) for a time in milliseconds. */
export function totpStep(timeMs: number = Date.now()): number {
  return Math.floor(timeMs / 1000 / TOTP_STEP_SECONDS);
}

/** HOTP (RFC 4226) value for a counter, as a zero-padded string. */
export function hotp(key: Buffer, counter: number, digits = 6): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac('sha1', key).update(message).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const binary =
    ((digest[offset] & 0x7f) << 24) |
    ((digest[offset + 1] & 0xff) << 16) |
    ((digest[offset + 2] & 0xff) << 8) |
    (digest[offset + 3] & 0xff);
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}

/** The 6-digit TOTP code (RFC 6238, SHA1, 30 s step) for a base32 secret. */
export function totp(secretBase32: string, timeMs: number = Date.now(), digits = 6): string {
  return hotp(base32Decode(secretBase32), totpStep(timeMs), digits);
}

/**
 * A TOTP code that stays valid for at least `minRemainingSeconds`, and whose
 * step is after `afterStep` when given (servers may refuse a code used twice).
 * Waits as needed; call it right before filling the field.
 */
export async function freshTotp(
  secretBase32: string,
  opts: { minRemainingSeconds?: number; afterStep?: number } = {},
): Promise<{ code: string; step: number }> {
  const minRemaining = opts.minRemainingSeconds ?? 5;
  for (;;) {
    const now = Date.now();
    const step = totpStep(now);
    const remainingMs = (step + 1) * TOTP_STEP_SECONDS * 1000 - now;
    const stepOk = opts.afterStep === undefined || step > opts.afterStep;
    if (stepOk && remainingMs >= minRemaining * 1000) {
      return { code: totp(secretBase32, now), step };
    }
    await new Promise((resolve) => setTimeout(resolve, remainingMs + 200));
  }
}

// ---------------------------------------------------------------------------
// Navigation and sessions
// ---------------------------------------------------------------------------

/** Waits until the page's path (without query string) is `path`. */
export async function expectPath(page: Page, path: string): Promise<void> {
  await expect.poll(() => new URL(page.url()).pathname, { message: `expected to be on ${path}` }).toBe(path);
  await page.waitForLoadState('load');
}

/** Fills the login form (French or English) and submits it, without checking the outcome. */
export async function submitLogin(page: Page, email: string, password: string): Promise<void> {
  if (new URL(page.url()).pathname !== '/login') {
    await page.goto('/login');
  }
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  const posted = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login',
  );
  await page.getByRole('button', { name: /^(Se connecter|Sign in)$/ }).click();
  await posted;
}

/**
 * Signs in through /login and waits to land on `expectedPath` (home by
 * default; pass '/login/totp' for an account with TOTP enrolled).
 */
export async function signIn(
  page: Page,
  email: string,
  password: string,
  expectedPath: string = '/',
): Promise<void> {
  await page.goto('/login');
  await submitLogin(page, email, password);
  await expectPath(page, expectedPath);
}

/** Clicks the header's sign-out button and waits for /login. */
export async function signOut(page: Page): Promise<void> {
  await page
    .locator('header')
    .getByRole('button', { name: /^(Se déconnecter|Sign out)$/ })
    .click();
  await expectPath(page, '/login');
}

// ---------------------------------------------------------------------------
// Keyboard and focus
// ---------------------------------------------------------------------------

/** Presses Tab until `target` has focus (at most `maxPresses` times). */
export async function tabTo(page: Page, target: Locator, maxPresses = 15): Promise<void> {
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) {
      return;
    }
  }
  const focused = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200) ?? 'none');
  throw new Error(`${target} not reached with ${maxPresses} Tab presses; focus is on ${focused}`);
}

/** Describes the focused element's focus indicator (outline or box-shadow). */
export async function focusIndicator(
  page: Page,
): Promise<{ element: string; outline: string; boxShadow: string; visible: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) {
      return { element: 'none', outline: '', boxShadow: '', visible: false };
    }
    const style = getComputedStyle(el);
    const outlineVisible =
      style.outlineStyle !== 'none' && style.outlineWidth !== '0px' && style.outlineColor !== 'transparent' &&
      style.outlineColor !== 'rgba(0, 0, 0, 0)';
    const shadowVisible = style.boxShadow !== 'none' && style.boxShadow !== '';
    return {
      element: el.outerHTML.slice(0, 120),
      outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
      boxShadow: style.boxShadow,
      visible: outlineVisible || shadowVisible,
    };
  });
}

/** Fails unless the focused element shows an outline or a box-shadow. */
export async function expectVisibleFocus(page: Page): Promise<void> {
  const info = await focusIndicator(page);
  expect(info.visible, `no visible focus indicator on ${info.element} (outline: ${info.outline}; box-shadow: ${info.boxShadow})`).toBe(true);
}

// ---------------------------------------------------------------------------
// Mandates
// ---------------------------------------------------------------------------

/** On a pending paper mandate's page: records the signature with a scan. */
export async function signWithScan(page: Page): Promise<void> {
  await page.locator('#scan').setInputFiles({
    name: 'mandat-signe.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('%PDF-1.4\n% signed paper mandate\n'),
  });
  await page.getByRole('button', { name: 'Enregistrer la signature' }).click();
  await expect(page.locator('[role=status]')).toContainText('Mandat signé');
}
