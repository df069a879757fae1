import { test, expect } from '@playwright/test';
import { type Role, email, password, stateFile } from './accounts';

// Each role signs in and sees only what it may: the links in the top bar,
// the actions on the pages, and a refusal where it goes anyway.

const LINKS: Record<Role, string[]> = {
  viewer: ['Campaigns', 'Dashboard', 'Selections', 'Suppression list', 'Import', 'Unlinked'],
  marketer: ['Campaigns', 'Dashboard', 'Selections', 'Suppression list', 'Import', 'Unlinked'],
  admin: [
    'Campaigns', 'Dashboard', 'Selections', 'Suppression list', 'Import', 'Unlinked',
    'Policies', 'Tokens', 'People', 'Audit log',
  ],
};

test.describe('signing in', () => {
  test.use({ storageState: { cookies: [], origins: [] } });

  test('a stranger is sent to sign in, and comes back where they were going', async ({ page }) => {
    await page.goto('/suppressions');
    await expect(page).toHaveURL(/\/login\?next=%2Fsuppressions/);

    await page.getByLabel('Email address').fill(email('viewer'));
    await page.getByLabel('Password').fill(password('viewer'));
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page).toHaveURL(/\/suppressions$/);
    await expect(page.locator('.who .account')).toHaveText(email('viewer'));
  });

  test('a wrong password is refused without saying which part was wrong', async ({ page }) => {
    await page.goto('/login');
    await page.getByLabel('Email address').fill(email('marketer'));
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page.locator('.notice')).toContainText('do not match');
    await expect(page.locator('.who')).toHaveCount(0);
  });
});

for (const role of ['viewer', 'marketer', 'admin'] as const) {
  test.describe(`as ${role}`, () => {
    test.use({ storageState: stateFile(role) });

    test('the top bar offers only the pages of this role', async ({ page }) => {
      await page.goto('/');

      await expect(page.locator('header.topbar nav a')).toHaveText(LINKS[role]);
      await expect(page.locator('.who .role')).toHaveText(role);
    });

    test('actions are offered only to roles that may take them', async ({ page }) => {
      await page.goto('/suppressions');
      const addForm = page.locator('details.add');
      await page.goto('/imports');
      const upload = page.locator('form.upload');

      if (role === 'viewer') {
        await expect(upload).toHaveCount(0);
        await page.goto('/suppressions');
        await expect(addForm).toHaveCount(0);
      } else {
        await expect(upload).toHaveCount(1);
        await page.goto('/suppressions');
        await expect(addForm).toHaveCount(1);
      }
    });

    test('admin pages answer 403 to anyone but an admin', async ({ page }) => {
      for (const path of ['/admin/users', '/settings/tokens', '/admin/audit']) {
        const answer = await page.goto(path);
        expect(answer?.status(), path).toBe(role === 'admin' ? 200 : 403);
      }
    });
  });
}

test.describe('as admin', () => {
  test('the audit log shows who signed in, and a new person can sign in', async ({ page, browser }) => {
    await page.goto('/admin/audit');
    await expect(page.locator('tr.audit-row[data-action="login"]').first()).toBeVisible();

    await page.goto('/admin/users');
    const newcomer = `nieuw-${Date.now()}@e2e.test`;
    await page.locator('form.add-user input[name="email"]').fill(newcomer);
    await page.locator('form.add-user select[name="role"]').selectOption('viewer');
    await page.locator('form.add-user input[name="password"]').fill('a first password of theirs');
    await page.getByRole('button', { name: 'Add' }).click();
    await expect(page.locator('tr.user-row td.email', { hasText: newcomer })).toBeVisible();

    const baseURL = test.info().project.use.baseURL;
    const context = await browser.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    const theirs = await context.newPage();
    await theirs.goto('/login');
    await theirs.getByLabel('Email address').fill(newcomer);
    await theirs.getByLabel('Password').fill('a first password of theirs');
    await theirs.getByRole('button', { name: 'Sign in' }).click();
    await expect(theirs.locator('.who .role')).toHaveText('viewer');
    await context.close();
  });
});
