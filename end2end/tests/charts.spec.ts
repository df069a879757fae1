import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';

async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 20_000 });
}

const CAMPAIGN_CHARTS = ['stages', 'categories', 'codes', 'domains', 'timeline'];

async function firstCampaign(page: Page): Promise<string> {
  await page.goto('/');
  await hydrated(page);
  const href = await page.locator('tr.campaign-row td.name a').first().getAttribute('href');
  expect(href).toMatch(/^\/campaigns\/\d+$/);
  return href as string;
}

test('the Overview tab draws every chart with its description and table, and a bar opens the rows it counts', async ({ page }, testInfo) => {
  const campaign = await firstCampaign(page);
  await page.goto(campaign);
  await hydrated(page);

  await expect(page.locator('figure.chart')).toHaveCount(CAMPAIGN_CHARTS.length);
  for (const name of CAMPAIGN_CHARTS) {
    const figure = page.locator(`figure[data-chart="${name}"]`);
    await expect(figure.locator('svg > title')).not.toBeEmpty();
    await expect(figure.locator('svg > desc')).not.toBeEmpty();
    await expect(figure.locator('.chart-description')).not.toBeEmpty();
    await expect(figure.locator('svg rect').first()).toBeVisible();
    await figure.locator('summary').click();
    await expect(figure.locator('details table tbody tr').first()).toBeVisible();
  }
  await page.screenshot({ path: testInfo.outputPath('overview.png'), fullPage: true });

  // The bar's number, from the same numbers as JSON.
  const bar = page.locator('figure[data-chart="categories"] a.chart-link').first();
  const href = (await bar.getAttribute('href')) as string;
  const id = campaign.split('/').pop();
  const chart = await (await page.request.get(`/api/v1/campaigns/${id}/charts/categories`)).json();
  const row = chart.rows.find((r: { href: string }) => r.href === href);
  expect(row, `a JSON row links to ${href}`).toBeTruthy();

  await bar.click();

  await expect(page).toHaveURL(/\/errors\?category=[a-z_]+&failed=1$/);
  await expect(page.locator('p.total')).toHaveAttribute('data-total', String(row.total));
  await expect(page.locator('table.errors tbody tr.error-row').first()).toBeVisible();
});

test('the dashboard draws rates against the providers\u2019 thresholds and the domains that moved', async ({ page }, testInfo) => {
  await page.goto('/dashboard');
  await hydrated(page);

  const rates = page.locator('figure[data-chart="rates"]');
  await expect(rates.locator('svg > title')).toHaveText(/Bounce and complaint rates/);
  await expect(rates.locator('svg')).toContainText('Amazon SES');
  await expect(rates.locator('svg')).toContainText('Gmail');
  await expect(page.locator('figure[data-chart="domain_changes"] .chart-description')).not.toBeEmpty();
  await page.screenshot({ path: testInfo.outputPath('dashboard.png'), fullPage: true });
});

test('no page breaks a WCAG 2 A or AA rule that axe-core checks', async ({ page }) => {
  const campaign = await firstCampaign(page);
  await page.goto(`${campaign}/errors`);
  await hydrated(page);
  const event = await page.locator('table.errors td.time a').first().getAttribute('href');
  await page.goto('/suppressions');
  const contact = await page.locator('table.suppressions td.email a').first().getAttribute('href');
  const pages = [
    contact as string,
    '/',
    '/dashboard',
    campaign,
    `${campaign}/errors`,
    event as string,
    '/selections',
    '/selections/new',
    '/suppressions',
    '/settings/policies',
    '/imports',
    '/unlinked',
    '/settings/tokens',
  ];
  for (const path of pages) {
    await page.goto(path);
    await hydrated(page);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const found = results.violations.map((v) => `${v.id}: ${v.nodes.length} × ${v.nodes[0]?.target.join(' ')}`);
    expect(found, `${path}`).toEqual([]);
  }
});

test('a provider incident is flagged on its campaign, with the failures behind it', async ({ page }, testInfo) => {
  await page.goto('/');
  const campaigns = await page
    .locator('tr.campaign-row td.name a')
    .evaluateAll((links) => links.map((a) => a.getAttribute('href') as string));
  let flagged = 0;
  for (const campaign of campaigns) {
    await page.goto(campaign);
    const note = page.locator('.incident').first();
    if ((await note.count()) === 0) continue;
    flagged++;
    await expect(note).toContainText("Probably not the addresses' fault");
    await page.screenshot({ path: testInfo.outputPath('incident.png'), fullPage: false });
    const evidence = await note.locator('p').first().innerText();
    const failures = Number(evidence.split(' ')[0].replace(/,/g, ''));
    expect(failures).toBeGreaterThanOrEqual(20);

    await note.getByRole('link', { name: 'Show these failures' }).click();

    await expect(page).toHaveURL(/domain=[^&]+&failed=1&from=[^&]+&to=/);
    const shown = Number(await page.locator('p.total').getAttribute('data-total'));
    expect(shown).toBeGreaterThanOrEqual(failures);
    break;
  }
  expect(flagged, 'the demo data has at least one provider incident').toBeGreaterThan(0);
});
