import { test, expect } from '@playwright/test';
import { DEMO, DEMO_PASSWORD, checkA11y, signIn, uniqueSuffix } from './helpers';

test('the postcode completes the commune and its INSEE code', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  const last = `Commune${uniqueSuffix()}`;
  await page.goto('/persons/new');
  await page.locator('#first_name').fill('Rose');
  await page.locator('#last_name').fill(last);
  await page.locator('#privacy_notice_on').fill('2026-01-05');
  await page.locator('#postcode').fill('69001');
  await expect(page.locator('#commune')).toHaveValue('Lyon 1er Arrondissement');
  await expect(page.locator('#insee_code')).toHaveValue('69381');
  await checkA11y(page, '/persons/new with the commune completed');
  // A name offers the communes of the official list.
  await page.locator('#commune').fill('');
  await page.locator('#insee_code').fill('');
  await page.locator('#commune').pressSequentially('Saint-Éti');
  await expect(page.locator('#commune-choices option[value="Saint-Étienne"]')).toHaveCount(1);
  await page.locator('#commune').fill('Lyon 1er Arrondissement');
  await page.locator('form button[type=submit].primary').click();
  await expect(page.locator('h1')).toContainText(`Rose ${last.toUpperCase()}`);
  await expect(page.locator('main')).toContainText('69381');
});

test('the structure form reads a postcode as its commune', async ({ page }) => {
  await signIn(page, DEMO.admin, DEMO_PASSWORD);
  await page.goto('/admin/structures');
  await page.locator('#structure_commune').pressSequentially('42000');
  await expect(page.locator('#structure_commune')).toHaveValue('Saint-Étienne');
  await checkA11y(page, '/admin/structures with the commune completed');
});
