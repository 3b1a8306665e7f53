import { test, expect } from '@playwright/test';
import { DEMO, DEMO_AGENT_NAME, DEMO_PASSWORD, checkA11y, expectPath, submitLogin } from './helpers';

test('the language switch changes the page language and sticks', async ({ page }) => {
  await page.goto('/login');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('button', { name: 'Se connecter', exact: true })).toBeVisible();

  await page.getByRole('link', { name: 'English', exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // The switch brings the user back to the page they were on.
  await expectPath(page, '/login');
  await expect(page.locator('a.skip-link')).toHaveText('Skip to content');
  await expect(page.getByLabel('Email address', { exact: true })).toHaveAttribute('id', 'email');
  await expect(page.getByLabel('Password', { exact: true })).toHaveAttribute('id', 'password');
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  await checkA11y(page, '/login (en)');

  // A wrong password in English.
  await submitLogin(page, DEMO.agent, 'wrong-password');
  await expect(page.getByRole('alert')).toContainText('Incorrect email or password');

  // Signing in keeps the language.
  await submitLogin(page, DEMO.agent, DEMO_PASSWORD);
  await expectPath(page, '/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  const h1 = page.getByRole('heading', { level: 1 });
  await expect(h1).toContainText('Hello');
  await expect(h1).toContainText(DEMO_AGENT_NAME);
  await expect(page.locator('header').getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
  await checkA11y(page, '/ (en)');

  // Another page, reached by a fresh navigation: still English.
  await page.goto('/account');
  await expectPath(page, '/account');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');

  // Back to French, on the same page.
  await page.getByRole('link', { name: 'Français', exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expectPath(page, '/account');
  await expect(page.getByRole('heading', { name: 'Double authentification' })).toBeVisible();

  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Bonjour');
});
