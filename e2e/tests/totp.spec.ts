import { test, expect } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, checkA11y, expectPath, freshTotp, signIn, signOut } from './helpers';

test('the mediator enrols TOTP and then signs in with a one-time code', async ({ page }) => {
  // Up to one 30 s TOTP step may be waited for, so that the sign-in code
  // differs from the enrolment code.
  test.setTimeout(120_000);

  await signIn(page, DEMO.mediateur, DEMO_PASSWORD);

  await page.goto('/account');
  await expectPath(page, '/account');
  await expect(page.getByRole('heading', { name: 'Double authentification' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Mot de passe', exact: true })).toBeVisible();
  await checkA11y(page, '/account');

  const enable = page.getByRole('link', { name: 'Activer la double authentification', exact: true });
  await expect(enable).toHaveAttribute('href', '/account/totp');
  await enable.click();
  await expectPath(page, '/account/totp');

  // The QR code is an inline SVG inside a figure, with a text alternative.
  const figure = page.locator('figure').filter({ has: page.locator('svg') });
  await expect(figure).toHaveCount(1);
  const alternative = await figure.evaluate((fig) => {
    const svg = fig.querySelector('svg')!;
    const parts = [
      fig.querySelector('figcaption')?.textContent ?? '',
      svg.getAttribute('aria-label') ?? '',
      svg.querySelector('title')?.textContent ?? '',
    ];
    const labelledBy = svg.getAttribute('aria-labelledby');
    if (labelledBy) {
      for (const id of labelledBy.split(/\s+/)) parts.push(document.getElementById(id)?.textContent ?? '');
    }
    return parts.join(' ').trim();
  });
  expect(alternative, 'the QR code needs a text alternative').not.toBe('');
  await checkA11y(page, '/account/totp');

  const secret = ((await page.locator('#totp-secret').textContent()) ?? '').replace(/\s+/g, '');
  expect(secret).toMatch(/^[A-Z2-7]+=*$/i);
  expect(secret.replace(/=+$/, '').length).toBeGreaterThanOrEqual(16);

  const enrolment = await freshTotp(secret);
  await page.locator('#code').fill(enrolment.code);
  await page.getByRole('button', { name: 'Activer', exact: true }).click();
  await expectPath(page, '/account');
  await expect(page.getByRole('status')).toBeVisible();
  await expect(page.locator('main')).toContainText('activée');
  await expect(page.getByRole('link', { name: 'Activer la double authentification', exact: true })).toHaveCount(0);

  await signOut(page);

  // The password alone is no longer enough.
  await signIn(page, DEMO.mediateur, DEMO_PASSWORD, '/login/totp');
  const codeField = page.getByLabel('Code à usage unique', { exact: true });
  await expect(codeField).toHaveAttribute('id', 'code');
  await checkA11y(page, '/login/totp');

  const signInCode = await freshTotp(secret, { afterStep: enrolment.step });
  await codeField.fill(signInCode.code);
  await page.getByRole('button', { name: 'Valider', exact: true }).click();
  await expectPath(page, '/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Bonjour');
});
