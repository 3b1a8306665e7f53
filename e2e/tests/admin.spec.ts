import { test, expect } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, DEMO_STRUCTURE, checkA11y, expectPath, signIn, uniqueSuffix } from './helpers';

test('an admin creates a structure', async ({ page }) => {
  await signIn(page, DEMO.admin, DEMO_PASSWORD);

  const structuresLink = page.getByRole('link', { name: 'Structures', exact: true });
  await expect(structuresLink).toHaveAttribute('href', '/admin/structures');
  await expect(page.getByRole('link', { name: 'Équipe', exact: true })).toHaveAttribute('href', '/team');
  await structuresLink.click();
  await expectPath(page, '/admin/structures');

  const table = page.locator('main table');
  await expect(table).toBeVisible();
  await expect(table).toContainText(DEMO_STRUCTURE);
  await checkA11y(page, '/admin/structures');

  const suffix = uniqueSuffix();
  const name = `Maison France Services ${suffix}`;
  const slug = `mfs-${suffix}`;
  await page.locator('#structure_name').fill(name);
  await page.locator('#structure_slug').fill(slug);
  // Any kind will do: take an option other than an empty placeholder, the last one if possible.
  const kind = page.locator('select#structure_kind');
  const values = await kind.locator('option').evaluateAll((opts) =>
    opts.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ''),
  );
  expect(values.length, '#structure_kind offers at least one kind').toBeGreaterThan(0);
  await kind.selectOption(values[values.length - 1]);
  await page.getByRole('button', { name: 'Créer la structure', exact: true }).click();

  await expectPath(page, '/admin/structures');
  await expect(page.locator('main table')).toContainText(name);
  await expect(page.locator('main table')).toContainText(slug);
  await checkA11y(page, '/admin/structures (after creation)');
});

test('a supervisor cannot open the structures page', async ({ page }) => {
  await signIn(page, DEMO.responsable, DEMO_PASSWORD);
  const response = await page.goto('/admin/structures');
  const denied = response === null || !response.ok() || new URL(page.url()).pathname !== '/admin/structures';
  expect(denied, '/admin/structures must be refused to a supervisor (403/404 or redirect)').toBe(true);
  await expect(page.locator('#structure_name')).toHaveCount(0);
});
