// End to end, in Debian's Chromium driven by Playwright (playwright-core: no browser
// download), against the real suite the calling test started (devstack):
//   sign in as an operator, create a tenant, and see it turn ACTIVE with four placements;
//   suspend it and reactivate it, each confirmed first;
//   change its plan and watch four bars (one per service) reach 100 %, with checksums;
//   export it, see the export complete and download its archive;
//   delete it (grace period) and restore it; see every service's KPIs charted;
//   sign in by keyboard; every view checked at 360 px wide;
//   as a tenant admin: create a model with a fault and see it at its place, fix it, run it
//   with a live bar to 100 % and see the histogram; upload a file and see the quota move;
//   as a read-only user: no action that needs a permission is offered, and the API refuses
//   them anyway with that user's own token;
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
const SERVICES = ['simulation', 'file', 'billing', 'analytics'];

/** At a phone's width every view fits: nothing wider than the screen, nothing to scroll sideways. */
async function fitsNarrowScreen(what) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > 360) {
    throw new Error(`${what} is ${width} px wide at 360 px`);
  }
}

/** The API, from outside the browser: fixtures the test needs (a tenant, its users). */
async function call(method, path, token, body) {
  const response = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

async function devToken(request) {
  const answer = await call('POST', '/api/v1/dev/tokens', null, request);
  if (answer.status !== 200) {
    throw new Error(`no development token: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body.token;
}

/** A user of the tenant with a password, set through their invitation as a person would. */
async function tenantUser(operatorToken, tenant, email, role, password) {
  const created = await call('POST', `/api/v1/tenants/${tenant.id}/users`, operatorToken, { email, name: email, role });
  if (created.status !== 201) {
    throw new Error(`user ${email} not created: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const self = await devToken({ subject: created.body.id, tenantId: tenant.id, roles: [role] });
  for (let i = 0; i < 50; i++) {
    const inbox = await call('GET', '/api/v1/notifications', self);
    const invitation = (inbox.body?.items ?? []).find((n) => n.kind === 'PASSWORD_INVITATION');
    if (invitation) {
      const token = invitation.body.slice(invitation.body.lastIndexOf(' ') + 1);
      const set = await call('POST', '/api/v1/passwords', null, { token, password });
      if (set.status >= 300) {
        throw new Error(`password of ${email} not set: ${set.status} ${JSON.stringify(set.body)}`);
      }
      return `${tenant.slug}/${email}`;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no invitation for ${email}`);
}

async function activeTenant(operatorToken, slug, plan) {
  const created = await call('POST', '/api/v1/tenants', operatorToken, { name: slug, slug, plan, region: 'eu' });
  if (created.status !== 201) {
    throw new Error(`tenant ${slug} not created: ${created.status} ${JSON.stringify(created.body)}`);
  }
  for (let i = 0; i < 600; i++) {
    const tenant = await call('GET', `/api/v1/tenants/${created.body.id}`, operatorToken);
    if (tenant.body.status === 'ACTIVE') {
      return tenant.body;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`tenant ${slug} did not turn ACTIVE`);
}

async function signInAs(name, secret) {
  await page.goto(base + '/');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('input[name="username"]').fill(name);
  await page.locator('input[name="password"]').fill(secret);
  await page.locator('button[type="submit"]').click();
  await page.getByTestId('signed-in-as').waitFor();
}
let step = 0;
let page;
async function shot(name) {
  step += 1;
  // The bars' fill eases for 0.2 s: the picture shows where it ends.
  await page.waitForTimeout(300);
  const file = join(shots, `${String(step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`step ${step}: ${name} (${file})`);
}

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const stored = [];
  // The console runs under the gateway's Content-Security-Policy: a violation, or an
  // error nothing caught, fails the run.
  const broken = [];
  page.on('console', (message) => {
    if (message.type() === 'error') {
      console.log(`  browser console: ${message.text()}`);
      if (message.text().includes('Content Security Policy')) {
        broken.push(message.text());
      }
    }
  });
  page.on('pageerror', (error) => broken.push(`uncaught: ${error.message}`));

  await page.goto(base + '/');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await shot('signed-out');

  // By keyboard: Tab reaches the sign-in button, Enter presses it.
  for (let i = 0; i < 10 && !(await page.getByRole('button', { name: 'Sign in' }).evaluate((b) => b === document.activeElement)); i++) {
    await page.keyboard.press('Tab');
  }
  await page.keyboard.press('Enter');
  await page.locator('input[name="username"]').fill(user);
  await page.locator('input[name="password"]').fill(password);
  await shot('sign-in-form');
  await page.locator('button[type="submit"]').click();
  const who = page.getByTestId('signed-in-as');
  await who.waitFor();
  const signedIn = await who.textContent();
  if (signedIn !== `${user} (SYSTEM_ADMIN)`) {
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
  for (const service of SERVICES) {
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

  // A tier change, PROFESSIONAL (own schemas) to STANDARD (shared tables): each service
  // moves the tenant live, one bar each, and shows its per-table checksums at the end.
  await page.getByLabel('New plan').selectOption('STANDARD');
  await page.getByRole('button', { name: 'Change plan' }).click();
  await page.getByRole('button', { name: 'Confirm' }).click();
  const newest = page.locator('[data-testid^="moves-"]').first();
  for (const service of SERVICES) {
    await newest.getByRole('progressbar', { name: `${service} move`, exact: true }).waitFor();
  }
  await shot('tier-change-running');
  for (const service of SERVICES) {
    await newest
      .locator(`[role="progressbar"][aria-label="${service} move"][aria-valuenow="100"]`)
      .waitFor({ timeout: 180_000 });
    await newest.getByRole('table', { name: `${service} checksums` }).waitFor();
  }
  await page.getByTestId('tier-change-status').first().filter({ hasText: 'COMPLETED' }).waitFor();
  for (const service of SERVICES) {
    const row = page.getByTestId(`placement-${service}`);
    await row.filter({ hasText: 'ROW' }).waitFor();
  }
  await shot('tier-change-done');
  await page.setViewportSize({ width: 360, height: 780 });
  await fitsNarrowScreen("an operator's tenant view with its bars and checksums");
  await shot('tier-change-at-360px');
  await page.setViewportSize({ width: 1280, height: 800 });

  // An export: its bar, then the archive downloaded.
  await page.getByRole('button', { name: 'Export', exact: true }).click();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByTestId('export-status').first().filter({ hasText: 'COMPLETED' }).waitFor({ timeout: 120_000 });
  const downloaded = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download' }).first().click();
  const archive = await downloaded;
  if (!archive.suggestedFilename().endsWith('.zip')) {
    throw new Error(`the export downloaded as ${archive.suggestedFilename()}, not a ZIP archive`);
  }
  await shot('exported');

  // Deleted with a grace period, then restored within it.
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByTestId('tenant-status').filter({ hasText: 'PENDING_ERASE' }).waitFor();
  await page.getByTestId('erase-after').waitFor();
  await shot('pending-erase');
  await page.getByRole('button', { name: 'Restore' }).click();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByTestId('tenant-status').filter({ hasText: 'ACTIVE' }).waitFor();

  // The KPIs: every service's figures through the admin API, charted as they come.
  await page.getByRole('button', { name: 'KPIs' }).click();
  for (const service of ['tenant', ...SERVICES]) {
    await page.getByRole('img', { name: new RegExp(`^${service} requests: [0-9.,]+ /s$`) }).waitFor({ timeout: 30_000 });
  }
  await shot('kpis');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await shot('signed-out-again');

  // The sign-in's session ended too: signing in again asks for the password.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('input[name="username"]').waitFor();
  await shot('sign-in-asks-again');

  // A tenant's own people: an admin and a read-only user, each with a password set
  // through the invitation.
  const operatorToken = await devToken({ subject: 'e2e', roles: ['SYSTEM_ADMIN'] });
  const own = await activeTenant(operatorToken, 'e2eu-' + Math.random().toString(36).slice(2, 8), 'STANDARD');
  const adminName = await tenantUser(operatorToken, own, 'admin@example.com', 'TENANT_ADMIN', 'admin passphrase e2e');
  const readerName = await tenantUser(operatorToken, own, 'reader@example.com', 'READ_ONLY', 'reader passphrase e2e');

  await signInAs(adminName, 'admin passphrase e2e');
  // Named by the ID token's e-mail, not the access token's user id.
  const adminShown = await page.getByTestId('signed-in-as').textContent();
  if (adminShown !== 'admin@example.com (TENANT_ADMIN)') {
    throw new Error(`the tenant admin is shown as "${adminShown}"`);
  }
  await page.getByRole('button', { name: 'Models' }).click();
  await page.getByRole('button', { name: 'New model' }).click();
  await page.getByLabel('Model name').fill('Revenue');
  await page.getByLabel('Input 1 name').fill('units');
  await page.getByLabel('Input 1 mean').fill('1000');
  await page.getByLabel('Input 1 sd').fill('100');
  await page.getByLabel('Output 1 name').fill('revenue');
  await page.getByLabel('Output 1 expression').fill('units * (12 +');
  await page.getByRole('button', { name: 'Create model' }).click();
  // The fault, at the output and the position in its expression the engine named.
  const at = page.getByTestId('output-0').getByTestId('fault-position');
  await at.waitFor();
  await shot('model-fault-inline');
  await page.getByLabel('Output 1 expression').fill('units * 12');
  await page.getByRole('button', { name: 'Create model' }).click();
  await page.getByRole('button', { name: 'Save model' }).waitFor();
  await page.getByLabel('Iterations').fill('200000');
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.locator('[role="progressbar"][aria-label="run progress"][aria-valuenow="100"]').waitFor({ timeout: 120_000 });
  await page.getByRole('img', { name: /revenue: histogram/ }).waitFor();
  await page.getByRole('table', { name: 'revenue percentiles' }).waitFor();
  await shot('run-result');

  await page.getByRole('button', { name: 'Files' }).click();
  const quota = page.getByRole('progressbar', { name: 'storage quota' });
  await quota.waitFor();
  const before = await quota.getAttribute('aria-valuenow');
  await page.getByLabel('Upload a file').setInputFiles({
    name: 'prices.csv',
    mimeType: 'text/csv',
    buffer: Buffer.alloc(256 * 1024, 'price,units\n9,1000\n'),
  });
  await page.getByTestId('file-prices.csv').waitFor();
  await page.waitForFunction(
    (old) => document.querySelector('[aria-label="storage quota"]')?.getAttribute('aria-valuenow') !== old,
    before,
  );
  await shot('file-uploaded');
  const uploadedRow = await page.getByTestId('file-prices.csv').textContent();
  if (!uploadedRow.includes(' by you')) {
    throw new Error(`the admin's own upload does not read as theirs: "${uploadedRow}"`);
  }

  // The same views on a phone.
  await page.setViewportSize({ width: 360, height: 780 });
  await fitsNarrowScreen('the files view');
  await shot('files-at-360px');
  await page.getByRole('button', { name: 'Models' }).click();
  await page.getByRole('button', { name: 'Revenue' }).click();
  await page.getByRole('button', { name: 'Save model' }).waitFor();
  await fitsNarrowScreen('the model editor');
  await page.getByRole('button', { name: 'Tenant', exact: true }).click();
  await page.getByTestId('tenant-status').waitFor();
  await fitsNarrowScreen('the tenant view');
  await shot('tenant-at-360px');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();

  // A read-only user: nothing offered that needs a permission they lack...
  let readerToken = null;
  page.on('request', (request) => {
    const authorization = request.headers()['authorization'];
    if (authorization && request.url().includes('/api/v1/')) {
      readerToken = authorization.slice('Bearer '.length);
    }
  });
  await signInAs(readerName, 'reader passphrase e2e');
  await page.getByTestId('tenant-status').waitFor();
  for (const label of ['Export', 'Delete', 'Suspend', 'Change plan', 'Rebalance']) {
    if ((await page.getByRole('button', { name: label, exact: true }).count()) > 0) {
      throw new Error(`a read-only user is offered "${label}"`);
    }
  }
  if ((await page.getByRole('button', { name: 'People' }).count()) > 0) {
    throw new Error('a read-only user is offered the users and clients');
  }
  await page.getByRole('button', { name: 'Models' }).click();
  await page.getByRole('button', { name: 'Revenue' }).click();
  if ((await page.getByRole('button', { name: 'New model' }).count()) + (await page.getByRole('button', { name: 'Run', exact: true }).count()) > 0) {
    throw new Error('a read-only user is offered to create or run a model');
  }
  await page.getByRole('button', { name: 'Files' }).click();
  await page.getByTestId('file-prices.csv').waitFor();
  if ((await page.getByLabel('Upload a file').count()) + (await page.getByRole('button', { name: 'Delete prices.csv' }).count()) > 0) {
    throw new Error('a read-only user is offered to upload or delete files');
  }
  await shot('read-only-user');
  // ...and the API refuses them anyway, with the reader's own token from the console.
  if (!readerToken) {
    throw new Error('the console sent no token for the read-only user');
  }
  const refused = [
    await call('POST', '/api/v1/models', readerToken, { name: 'sneaky' }),
    await call('POST', `/api/v1/tenants/${own.id}/exports`, readerToken),
    await call('POST', `/api/v1/tenants/${own.id}/users`, readerToken, { email: 'x@example.com', name: 'x', role: 'TENANT_ADMIN' }),
    await call('POST', `/api/v1/tenants/${own.id}/suspend`, readerToken),
  ];
  if (refused.some((r) => r.status !== 403)) {
    throw new Error(`the API let a read-only user act: ${refused.map((r) => r.status).join(', ')}`);
  }
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  if (broken.length > 0) {
    throw new Error(`the page broke: ${broken.join('; ')}`);
  }
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
