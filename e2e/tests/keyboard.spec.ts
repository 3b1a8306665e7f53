import { test, expect } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, expectPath, expectVisibleFocus, tabTo } from './helpers';

test('the agent signs in and out with the keyboard alone, with a visible focus', async ({ page }) => {
  await page.goto('/login');

  // The skip link is the first stop, and it is visible when focused.
  await page.keyboard.press('Tab');
  const skip = page.locator('a.skip-link');
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await expectVisibleFocus(page);

  // Following it moves the sequential focus start into <main>.
  await page.keyboard.press('Enter');
  await expect.poll(() => new URL(page.url()).hash).toBe('#main');
  await page.keyboard.press('Tab');
  const focusInMain = await page.evaluate(() => !!document.activeElement?.closest('main#main'));
  expect(focusInMain, 'after the skip link, Tab lands inside <main id="main">').toBe(true);

  const email = page.locator('#email');
  if (!(await email.evaluate((el) => el === document.activeElement))) {
    await tabTo(page, email);
  }
  await expectVisibleFocus(page);
  await page.keyboard.type(DEMO.agent);

  await tabTo(page, page.locator('#password'));
  await expectVisibleFocus(page);
  await page.keyboard.type(DEMO_PASSWORD);

  await tabTo(page, page.getByRole('button', { name: 'Se connecter', exact: true }));
  await expectVisibleFocus(page);
  await page.keyboard.press('Enter');

  await expectPath(page, '/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Bonjour');

  // On the home page too, the skip link comes first; then sign out by keyboard.
  await page.keyboard.press('Tab');
  await expect(page.locator('a.skip-link')).toBeFocused();
  await tabTo(page, page.locator('header').getByRole('button', { name: 'Se déconnecter', exact: true }), 30);
  await expectVisibleFocus(page);
  await page.keyboard.press('Enter');
  await expectPath(page, '/login');
});
