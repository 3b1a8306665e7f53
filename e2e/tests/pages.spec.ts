import { test, expect } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, checkA11y, signIn, signOut } from './helpers';

// Every page of the foundation, in both languages, in its normal state and
// with form errors, passes axe and does not scroll sideways on a phone
// (checkA11y measures both).
for (const lang of ['fr', 'en'] as const) {
  test(`every page passes axe in ${lang}, error states included`, async ({ page, browser }) => {
    // Some forty pages, each under axe and measured at phone width.
    test.setTimeout(240_000);
    await page.goto(`/lang/${lang}?next=/login`);
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
    await signIn(page, DEMO.admin, DEMO_PASSWORD);

    for (const path of ['/', '/account', '/account/totp', '/team', '/admin/structures', '/intake', '/requests', '/persons', '/persons/new', '/inbox', '/privacy/retention', '/structure/catalogue', '/structure/policy', '/mandates', '/stats', '/stats?period=year&scope=instance', '/stats/export?period=month&format=pdf', '/places', '/places?near=69100&service=demarches', '/places/own', '/places/import']) {
      await page.goto(path);
      await expect(page.locator('html')).toHaveAttribute('lang', lang);
      await checkA11y(page, `${path} (${lang})`);
    }

    // A person, a request and a mandate of the demo data, reached through
    // the lists as a worker would.
    for (const [list, link, what] of [
      ['/persons?q=lefevre', 'main li a[href^="/persons/"]', '/persons/<id>'],
      ['/requests', 'main table a[href^="/requests/"]', '/requests/<id>'],
      ['/mandates', 'main table a[href^="/mandates/"]', '/mandates/<id>'],
    ] as const) {
      await page.goto(list);
      await page.locator(link).first().click();
      await expect(page.locator('h1')).toBeVisible();
      await checkA11y(page, `${what} (${lang})`);
    }

    // Not found and forbidden pages.
    const missing = await page.goto('/no-such-page');
    expect(missing?.status()).toBe(404);
    await checkA11y(page, `404 (${lang})`);

    // Form errors: structures, invitation, password change, TOTP code.
    await page.goto('/admin/structures');
    await page.locator('#structure_name').fill('X');
    await page.locator('#structure_slug').fill('Pas Bon');
    await page.locator('#structure_siret').fill('123');
    await page.locator('form[action="/admin/structures"] button[type=submit]').click();
    await expect(page.locator('#form-errors')).toBeVisible();
    await expect(page.locator('#structure_slug')).toHaveAttribute('aria-invalid', 'true');
    await checkA11y(page, `/admin/structures with errors (${lang})`);

    await page.goto('/team');
    await page.locator('#invite_email').fill('a@b');
    await page.locator('#invite_name').fill('Quelqu’un');
    await page.locator('form[action="/team/invite"] button[type=submit]').click();
    await expect(page.locator('#form-errors')).toBeVisible();
    await checkA11y(page, `/team with errors (${lang})`);

    await page.goto('/account');
    await page.locator('#current_password').fill('wrong');
    await page.locator('#new_password').fill('short');
    await page.locator('#new_password_confirm').fill('other');
    await page.locator('form[action="/account/password"] button[type=submit]').click();
    await expect(page.locator('#form-errors')).toBeVisible();
    await checkA11y(page, `/account with errors (${lang})`);

    await page.goto('/account/totp');
    await page.locator('#code').fill('000000');
    await page.locator('form[action="/account/totp"] button[type=submit]').click();
    await expect(page.locator('#form-errors')).toBeVisible();
    await checkA11y(page, `/account/totp with errors (${lang})`);

    // A password-reset link for the agent, opened by someone not signed in.
    await page.goto('/team');
    const row = page.locator('tr', { hasText: DEMO.agent });
    await row.locator('form[action$="/reset"] button').click();
    const link = await page.locator('#invite-link').getAttribute('href');
    expect(link).toMatch(/^\/reset\/[0-9a-f]{64}$/);
    await checkA11y(page, `/team with reset link (${lang})`);

    const other = await browser.newContext({ baseURL: test.info().project.use.baseURL });
    const anon = await other.newPage();
    await anon.goto(`/lang/${lang}?next=${encodeURIComponent(link!)}`);
    await expect(anon.locator('#password')).toBeVisible();
    await checkA11y(anon, `/reset/<token> (${lang})`);
    await anon.locator('#password').fill('court');
    await anon.locator('#password_confirm').fill('autre');
    await anon.locator('form button[type=submit]').click();
    await expect(anon.locator('#form-errors')).toBeVisible();
    await checkA11y(anon, `/reset/<token> with errors (${lang})`);
    const gone = await anon.goto('/invite/' + '0'.repeat(64));
    expect(gone?.status()).toBe(410);
    await checkA11y(anon, `expired link (${lang})`);
    await other.close();

    await signOut(page);
    await checkA11y(page, `/login after sign-out (${lang})`);
  });
}
