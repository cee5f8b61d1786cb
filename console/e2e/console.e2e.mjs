// End to end, in Debian's Chromium driven by Playwright (playwright-core: no browser
// download), against the real suite the calling test started (devstack):
//   sign in as an operator, create a tenant, and see it turn ACTIVE with four placements;
//   suspend it and reactivate it, each confirmed first;
//   sign out, which revokes the token and ends the sign-in's session.
// Environment: CONSOLE_URL (the gateway), OPERATOR_USER, OPERATOR_PASSWORD, SCREENSHOTS
// (a directory), CHROMIUM (default /usr/bin/chromium). Prints one line per step; exits
// non-zero with the reason when a step fails.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const base = process.env.CONSOLE_URL;
const user = process.env.OPERATOR_USER;
const password = process.env.OPERATOR_PASSWORD;
const shots = process.env.SCREENSHOTS ?? 'target/console-screenshots';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!base || !user || !password) {
  console.error('CONSOLE_URL, OPERATOR_USER and OPERATOR_PASSWORD are required');
  process.exit(2);
}
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath,
  headless: true,
  // As root, and with no network but loopback: no sandbox, nothing in the background.
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
let step = 0;
let page;
async function shot(name) {
  step += 1;
  const file = join(shots, `${String(step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`step ${step}: ${name} (${file})`);
}

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const stored = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      console.log(`  browser console: ${message.text()}`);
    }
  });

  await page.goto(base + '/');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await shot('signed-out');

  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('input[name="username"]').fill(user);
  await page.locator('input[name="password"]').fill(password);
  await shot('sign-in-form');
  await page.locator('button[type="submit"]').click();
  const who = page.getByTestId('signed-in-as');
  await who.waitFor();
  const signedIn = await who.textContent();
  if (!signedIn.includes(`operator:${user}`) || !signedIn.includes('SYSTEM_ADMIN')) {
    throw new Error(`signed in as "${signedIn}", not as operator ${user}`);
  }
  // The token is in the page's memory only.
  stored.push(...(await page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)])));
  if (stored.length > 0) {
    throw new Error(`the console left ${stored.join(', ')} in the browser's storage`);
  }
  await shot('tenants');

  const slug = 'e2e-' + Math.random().toString(36).slice(2, 8);
  await page.getByLabel('Name').fill('End to end ' + slug);
  await page.getByLabel('Slug').fill(slug);
  await page.getByLabel('Plan').selectOption('PROFESSIONAL');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page.getByRole('heading', { name: 'End to end ' + slug }).waitFor();
  await shot('tenant-created');

  await page.getByTestId('tenant-status').filter({ hasText: 'ACTIVE' }).waitFor({ timeout: 180_000 });
  for (const service of ['simulation', 'file', 'billing', 'analytics']) {
    const row = page.getByTestId(`placement-${service}`);
    await row.filter({ hasText: 'READY' }).waitFor();
    if (!(await row.textContent()).includes('SCHEMA')) {
      throw new Error(`${service} placed the PROFESSIONAL tenant as "${await row.textContent()}", not in a schema`);
    }
  }
  await shot('tenant-active');

  // A lifecycle action, confirmed first: suspend, then reactivate.
  await page.getByRole('button', { name: 'Suspend' }).click();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByTestId('tenant-status').filter({ hasText: 'SUSPENDED' }).waitFor();
  await shot('tenant-suspended');
  await page.getByRole('button', { name: 'Reactivate' }).click();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByTestId('tenant-status').filter({ hasText: 'ACTIVE' }).waitFor();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await shot('signed-out-again');
  // The sign-in's session ended too: signing in again asks for the password.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('input[name="username"]').waitFor();
  await shot('sign-in-asks-again');
  console.log('console e2e: passed');
} catch (error) {
  if (page) {
    await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => undefined);
  }
  console.error(`console e2e: FAILED at step ${step + 1}: ${error.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
