import { test, expect } from '@playwright/test';
import * as fs from 'fs';
import { DEMO, DEMO_PASSWORD, checkA11y, signIn } from './helpers';

test('the dashboard: filters, charts with their tables, downloads', async ({ page }) => {
  await signIn(page, DEMO.responsable, DEMO_PASSWORD);
  await page.getByRole('link', { name: 'Statistiques' }).click();
  await expect(page.locator('h1')).toHaveText("Statistiques d'activité");

  // This year, with the keyboard: choose the preset and submit.
  await page.locator('#period').selectOption('year');
  await page.locator('#from').fill('');
  await page.locator('#to').fill('');
  await page.getByRole('button', { name: 'Afficher' }).press('Enter');
  await expect(page.locator('#figures-title')).toBeVisible();
  const requests = page.locator('.figures div', { hasText: 'Demandes' }).first().locator('dd');
  const yearCount = Number(await requests.textContent());
  expect(yearCount).toBeGreaterThan(0);
  // Every chart has a title and a description, and the same numbers in a table.
  const charts = page.locator('figure.stat-chart svg[role=img]');
  expect(await charts.count()).toBe(13);
  await expect(page.locator('#table-category caption')).toHaveText('Par catégorie de démarche');
  const firstRow = page.locator('#table-category tbody tr').first();
  const label = (await firstRow.locator('th').textContent()) ?? '';
  await expect(page.locator('#chart-category-desc')).toContainText(label);
  await checkA11y(page, '/stats this year');

  // A filter narrows the figures.
  await page.locator('#category').selectOption('social');
  await page.getByRole('button', { name: 'Afficher' }).click();
  await expect(page.locator('#category')).toHaveValue('social');
  const socialCount = Number(await requests.textContent());
  expect(socialCount).toBeLessThan(yearCount);
  await expect(page.locator('#table-category tbody tr')).toHaveCount(1);
  await checkA11y(page, '/stats filtered on a category');

  // Downloads: one table as French CSV, everything as XLSX and ODS.
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('#table-category-title').locator('xpath=..').getByRole('link', { name: 'CSV', exact: true }).click(),
  ]);
  expect(csv.suggestedFilename()).toMatch(/^relais-category-.*\.csv$/);
  const bytes = fs.readFileSync((await csv.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(bytes.toString('utf8')).toContain('Libellé;Code;Demandes;');
  for (const format of ['XLSX', 'ODS']) {
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.downloads li', { hasText: 'Toutes les statistiques' }).getByRole('link', { name: format }).click(),
    ]);
    expect(file.suggestedFilename()).toMatch(new RegExp(`\\.${format.toLowerCase()}$`));
    const zip = fs.readFileSync((await file.path())!);
    expect(zip.subarray(0, 2).toString('latin1')).toBe('PK');
  }

  // Names need a reason: refused without, journaled with.
  await page.locator('#names-reason').fill('');
  await page.getByRole('button', { name: 'Exporter avec les noms' }).click();
  await expect(page.locator('#names-errors')).toBeVisible();
  await expect(page.locator('#names-reason')).toHaveAttribute('aria-invalid', 'true');
  await checkA11y(page, '/stats with the names export refused');
  await page.locator('#names-reason').fill("Bilan demandé par le conseil d'administration");
  const [named] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Exporter avec les noms' }).click(),
  ]);
  expect(named.suggestedFilename()).toMatch(/^relais-interventions-.*\.csv$/);
  expect(fs.readFileSync((await named.path())!).toString('utf8')).toContain(';Nom;Prénom');

  // The monthly report.
  const [pdf] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Rapport mensuel (PDF)' }).click(),
  ]);
  expect(pdf.suggestedFilename()).toMatch(/^rapport-activite-\d{4}-\d{2}\.pdf$/);
  expect(fs.readFileSync((await pdf.path())!).subarray(0, 5).toString('latin1')).toBe('%PDF-');

  // A bad period: a message, nothing computed.
  await page.goto('/stats?from=2026-03-01&to=2026-02-01');
  await expect(page.locator('#form-errors')).toContainText('avant son début');
  await expect(page.locator('#to')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#figures-title')).toHaveCount(0);
  await checkA11y(page, '/stats with an inverted period');
});

test('agents see their own activity, in English too', async ({ page }) => {
  await signIn(page, DEMO.agent, DEMO_PASSWORD);
  await page.goto('/lang/en?next=/stats');
  await expect(page.locator('h1')).toHaveText('Activity statistics');
  await expect(page.locator('main')).toContainText('You see your own activity.');
  await expect(page.locator('#agent')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Export with names' })).toHaveCount(0);
  await checkA11y(page, '/stats as an agent (en)');
});
