import { test, expect } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, checkA11y, expectPath, signIn } from './helpers';

test('the account page offers password, TOTP, sessions and API tokens', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Mon compte', exact: true }).click();
  await expectPath(page, '/account');

  await expect(page.getByRole('heading', { name: 'Mot de passe', exact: true })).toBeVisible();
  await expect(page.locator('#current_password')).toBeVisible();
  await expect(page.locator('#new_password')).toBeVisible();
  await expect(page.locator('#new_password_confirm')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Changer le mot de passe', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Double authentification' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Activer la double authentification', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Sessions', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Se déconnecter partout', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Jetons d.API$/ })).toBeVisible();
  await checkA11y(page, '/account');
});

test('an API token is shown once after its creation', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.goto('/account');
  await page.locator('#token_label').fill('Export e2e');
  await page.getByRole('button', { name: 'Créer un jeton', exact: true }).click();

  const tokenBox = page.locator('#new-token');
  await expect(tokenBox).toBeVisible();
  const token = await tokenBox.evaluate((el) =>
    ((el as HTMLInputElement).value || el.textContent || '').trim(),
  );
  expect(token.length, 'the new token is shown in #new-token').toBeGreaterThanOrEqual(16);
  await expect(page.locator('main')).toContainText('Export e2e');
  await checkA11y(page, '/account (new token)');

  await page.goto('/account');
  await expect(page.locator('#new-token')).toHaveCount(0);
  expect(await page.content()).not.toContain(token);
});

test('"sign out everywhere" ends the other sessions', async ({ page, browser }) => {
  const other = await browser.newContext();
  try {
    const otherPage = await other.newPage();
    await signIn(otherPage, DEMO.agent, DEMO_PASSWORD);

    await signIn(page, DEMO.agent, DEMO_PASSWORD);
    await page.goto('/account');
    await page.getByRole('button', { name: 'Se déconnecter partout', exact: true }).click();
    await page.waitForLoadState('load');

    await otherPage.goto('/');
    await expectPath(otherPage, '/login');
  } finally {
    await other.close();
  }
});
