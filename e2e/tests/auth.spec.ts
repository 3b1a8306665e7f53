import { test, expect } from '@playwright/test';
import {
  DEMO,
  DEMO_AGENT_NAME,
  DEMO_PASSWORD,
  DEMO_STRUCTURE,
  checkA11y,
  expectPath,
  signIn,
  signOut,
  submitLogin,
} from './helpers';

test.describe('sign-in', () => {
  test('the login page has the common layout and passes axe', async ({ page }) => {
    await page.goto('/login');
    await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
    await expect(page.locator('a.skip-link')).toHaveAttribute('href', '#main');
    await expect(page.locator('a.skip-link')).toHaveText('Aller au contenu');
    await expect(page.locator('header')).toHaveCount(1);
    await expect(page.locator('main#main')).toHaveCount(1);
    const fr = page.getByRole('link', { name: 'Français', exact: true });
    const en = page.getByRole('link', { name: 'English', exact: true });
    await expect(fr).toHaveAttribute('hreflang', 'fr');
    await expect(fr).toHaveAttribute('href', /^\/lang\/fr\?next=/);
    await expect(en).toHaveAttribute('hreflang', 'en');
    await expect(en).toHaveAttribute('lang', 'en');
    await expect(en).toHaveAttribute('href', /^\/lang\/en\?next=/);
    await expect(page.getByLabel('Adresse e-mail', { exact: true })).toHaveAttribute('id', 'email');
    await expect(page.getByLabel('Mot de passe', { exact: true })).toHaveAttribute('id', 'password');
    await expect(page.getByRole('button', { name: 'Se connecter', exact: true })).toBeVisible();
    await checkA11y(page, '/login');
  });

  test('the demo agent signs in and sees the home page', async ({ page }) => {
    await page.goto('/login');
    await checkA11y(page, '/login');

    await signIn(page, DEMO.agent, DEMO_PASSWORD);

    const h1 = page.getByRole('heading', { level: 1 });
    await expect(h1).toContainText('Bonjour');
    await expect(h1).toContainText(DEMO_AGENT_NAME);
    await expect(page.locator('main')).toContainText(DEMO_STRUCTURE);

    const nav = page.locator('nav').filter({ has: page.getByRole('link', { name: 'Accueil', exact: true }) });
    await expect(nav.getByRole('link', { name: 'Accueil', exact: true })).toHaveAttribute('href', '/');
    await expect(nav.getByRole('link', { name: 'Mon compte', exact: true })).toHaveAttribute('href', '/account');
    // An agent is neither supervisor nor admin.
    await expect(page.getByRole('link', { name: 'Équipe', exact: true })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Structures', exact: true })).toHaveCount(0);
    await expect(
      page.locator('header form[action="/logout"]').getByRole('button', { name: 'Se déconnecter', exact: true }),
    ).toBeVisible();

    await checkA11y(page, '/');
  });

  test('sign-out ends the session', async ({ page }) => {
    await signIn(page, DEMO.agent, DEMO_PASSWORD);
    await signOut(page);
    await expect(page.getByRole('button', { name: 'Se connecter', exact: true })).toBeVisible();
    // The home page is no longer reachable without signing in again.
    await page.goto('/');
    await expectPath(page, '/login');
  });

  test('a wrong password shows an alert', async ({ page }) => {
    await page.goto('/login');
    await submitLogin(page, DEMO.agent, 'not-the-password');
    await expectPath(page, '/login');
    await expect(page.getByRole('alert')).toContainText('Identifiants incorrects');
    await expect(page.locator('#email')).toBeVisible();
    await expect(page.locator('#password')).toBeVisible();
    await checkA11y(page, '/login (wrong password)');
  });

  test('an unknown e-mail gets the same alert', async ({ page }) => {
    await page.goto('/login');
    await submitLogin(page, 'nobody@demoville.test', DEMO_PASSWORD);
    await expectPath(page, '/login');
    await expect(page.getByRole('alert')).toContainText('Identifiants incorrects');
  });
});
