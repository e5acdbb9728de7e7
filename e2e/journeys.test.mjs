// Journeys through Footprint in a real browser (Debian's chromium driven by playwright-core),
// with axe-core run on every page visited: zero violations of WCAG 2.2 A and AA rules.
// The server is the real binary on a fresh SQLite database with the demo loaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const bin = process.env.FOOTPRINT_BIN ?? new URL('../target/debug/footprint', import.meta.url).pathname;
const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

let server;
let browser;
let base;
let dir;
const accounts = {};
const visited = new Set();

async function startServer() {
  dir = mkdtempSync(join(tmpdir(), 'footprint-e2e-'));
  const proc = spawn(bin, ['serve', '--demo', '--listen', '127.0.0.1:0', '--database-url', `sqlite://${join(dir, 'e2e.db')}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FOOTPRINT_LOG: 'warn' },
  });
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${out}\n${err}`)), 60_000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Footprint is running at (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    proc.on('exit', (code) => reject(new Error(`the server exited with ${code}:\n${out}\n${err}`)));
    proc.on('error', (e) => reject(new Error(`cannot run ${bin}: ${e.message}`)));
  });
  for (const line of out.split('\n')) {
    const m = line.match(/^ {2}(.+?) {2,}(\S+@\S+) +(\S+)$/);
    if (m) accounts[m[1].trim()] = { email: m[2], password: m[3] };
  }
  return { proc, url };
}

/** Runs axe-core on the page and fails on any violation, naming the rule and the elements. */
async function accessible(page) {
  page.setDefaultTimeout(10_000);
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
  }));
  const problems = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`);
  assert.deepEqual(problems, [], `axe-core on ${page.url()}`);
  visited.add(new URL(page.url()).pathname);
}

async function signIn(page, role) {
  const a = accounts[role];
  assert.ok(a, `a demo account for ${role}`);
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email address').fill(a.email);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/account`);
}

before(async () => {
  const s = await startServer();
  server = s.proc;
  base = s.url;
  browser = await chromium.launch({
    timeout: 60_000,
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`pages checked with axe-core: ${[...visited].sort().join(', ')}`);
});

test('the public finds a footprint and its partners', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(base);
  await accessible(page);
  await page.getByRole('link', { name: 'Find your footprint' }).click();
  await page.waitForURL(`${base}/footprints`);
  await accessible(page);
  await page.getByLabel('Region').selectOption('London');
  await page.getByRole('button', { name: 'Show footprints' }).click();
  await page.waitForURL(/region=London/);
  await assert.doesNotReject(page.getByRole('link', { name: 'North Central London' }).waitFor());
  await accessible(page);
  await page.goto(`${base}/footprints`);
  await page.getByRole('link', { name: 'Northshire and Eastvale (fictional)' }).click();
  await page.waitForURL(`${base}/footprints/DEMO01`);
  await assert.doesNotReject(page.getByRole('table', { name: 'Local government' }).waitFor());
  await accessible(page);
  await page.getByRole('link', { name: 'Healthwatch Eastvale' }).click();
  await accessible(page);
  // The published plan, its stress test and its versions.
  await page.goto(`${base}/footprints/DEMO01`);
  await page.getByRole('link', { name: 'Read the plan' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'Finance and efficiency' }).waitFor());
  await accessible(page);
  await page.getByRole('link', { name: /^Stress test of this plan/ }).click();
  await assert.doesNotReject(page.getByText(/simulated futures the plan balances in its final year/).waitFor());
  await assert.doesNotReject(page.getByRole('img', { name: 'The gap by year: the range of outcomes' }).waitFor());
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/plan/versions`);
  await accessible(page);
  await page.goto(`${base}/data`);
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/plan/portfolio`);
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/accountability`);
  await assert.doesNotReject(page.getByText('Leads: Urgent and emergency care redesign').waitFor());
  await accessible(page);
  await page.goto(`${base}/no-such-page`);
  await accessible(page);
});

test('a footprint lead signs in and adds partner organisations; the public sees them', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await accessible(page);
  // A mistake first: the error summary takes focus and links to the field.
  await page.getByRole('button', { name: 'Sign in' }).click();
  await assert.doesNotReject(page.getByText('There is a problem').waitFor());
  assert.equal(await page.title(), 'Error: Sign in – Footprint');
  await accessible(page);
  await signIn(page, 'Footprint lead / programme office');
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/plan`);
  await assert.doesNotReject(page.getByText('Visible to the footprint').waitFor());
  await accessible(page);

  await page.goto(`${base}/footprints/DEMO01`);
  await page.getByRole('button', { name: 'Add a partner organisation' }).click();
  await accessible(page);
  await page.getByRole('link', { name: 'Add a new organisation' }).click();
  await accessible(page);
  // Invalid first: errors beside the fields and in the summary.
  await page.getByRole('button', { name: 'Save organisation' }).click();
  await assert.doesNotReject(page.getByText("Enter the organisation's name").first().waitFor());
  await accessible(page);
  await page.getByLabel('Name').fill('Eastvale Hospice');
  await page.getByLabel('Kind of organisation').selectOption('voluntary-organisation');
  await page.getByRole('button', { name: 'Save organisation' }).click();
  await page.waitForURL(/\/footprints\/DEMO01\?added=/);
  await assert.doesNotReject(page.getByText('Eastvale Hospice is now a partner of Northshire and Eastvale (fictional)').waitFor());
  await accessible(page);

  // Remove one and add it back from the list.
  await page.getByRole('button', { name: "Remove Eastvale Carers' Network" }).click();
  await assert.doesNotReject(page.getByText("Eastvale Carers' Network is no longer a partner").waitFor());
  await page.getByRole('button', { name: 'Add a partner organisation' }).click();
  await page.getByLabel('Add a partner to Northshire and Eastvale (fictional)').selectOption({ label: "Eastvale Carers' Network (Voluntary or community organisation)" });
  await page.getByRole('button', { name: 'Add partner' }).click();
  await assert.doesNotReject(page.getByText("Eastvale Carers' Network is now a partner").waitFor());

  await page.getByRole('link', { name: 'Audit log of Northshire and Eastvale (fictional)' }).click();
  await assert.doesNotReject(page.getByText('Added Eastvale Hospice as a partner of Northshire and Eastvale (fictional)').waitFor());
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01`);
  await page.getByRole('link', { name: 'Manage people and roles in Northshire and Eastvale (fictional)' }).click();
  await accessible(page);
  await page.getByLabel('Their email address').fill('member@demo.footprint.local');
  await page.getByLabel('Role').selectOption({ label: 'Board member' });
  await page.getByRole('button', { name: 'Give role' }).click();
  await assert.doesNotReject(page.getByText('Sam Okafor is now board member in Northshire and Eastvale (fictional)').waitFor());
  await accessible(page);
  await page.goto(`${base}/account`);
  await page.getByLabel('Name for a new token').fill('monthly report');
  await page.getByRole('button', { name: 'Create token' }).click();
  await assert.doesNotReject(page.getByText('Your new token is shown once').waitFor());
  await accessible(page);

  // A member of the public, with no account, sees the new partner.
  const publicPage = await (await browser.newContext()).newPage();
  await publicPage.goto(`${base}/footprints/DEMO01`);
  await assert.doesNotReject(publicPage.getByRole('link', { name: 'Eastvale Hospice' }).waitFor());
  assert.equal(await publicPage.getByRole('button', { name: 'Add a partner organisation' }).count(), 0);
});

test('everything works without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'Site administrator');
  await page.goto(`${base}/footprints/E54000006`);
  await page.getByRole('button', { name: 'Add a partner organisation' }).click();
  await page.getByLabel('Add a partner to Humber, Coast and Vale').selectOption({ label: 'Healthwatch Northshire (Healthwatch)' });
  await page.getByRole('button', { name: 'Add partner' }).click();
  await page.waitForURL(/\/footprints\/E54000006\?added=/);
  await assert.doesNotReject(page.getByText('Healthwatch Northshire is now a partner of Humber, Coast and Vale').waitFor());
  await page.goto(`${base}/admin/audit`);
  await assert.doesNotReject(page.getByText('Added Healthwatch Northshire as a partner of Humber, Coast and Vale').waitFor());
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(`${base}/`);
  await assert.doesNotReject(page.getByRole('link', { name: 'Sign in' }).waitFor());
  // A member of the public responds to a consultation without JavaScript: the ranking is
  // numbered places, not dragging.
  const visitor = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await visitor.goto(`${base}/footprints/DEMO01/consultations/1/respond`);
  await visitor.getByRole('radio', { name: 'C: one major department, moving over three years' }).check();
  await visitor.getByLabel('Place for: A: one major emergency department at Northshire General').selectOption('2');
  await visitor.getByLabel('Place for: B: keep both emergency departments as they are').selectOption('2');
  await visitor.getByLabel('Place for: C: one major department, moving over three years').selectOption('1');
  await visitor.getByLabel('No, do not publish it').check();
  await visitor.getByRole('button', { name: 'Send my response' }).click();
  await assert.doesNotReject(visitor.getByRole('link', { name: /Use each number from 1 to 3 once in question 2/ }).waitFor());
  await visitor.getByLabel('Place for: B: keep both emergency departments as they are').selectOption('3');
  await visitor.getByRole('button', { name: 'Send my response' }).click();
  await assert.doesNotReject(visitor.getByRole('heading', { name: 'Response received' }).waitFor());
  // A contributor drafts a proposal for decision without JavaScript; its pack is worked out.
  const staff = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await signIn(staff, 'Footprint contributor');
  await staff.goto(`${base}/footprints/DEMO01/decisions/propose`);
  await staff.getByLabel('Title').fill('Open the stroke unit six months later');
  await staff.getByLabel('What is proposed').fill('Open the hyper-acute stroke unit in April 2019 rather than October 2018.');
  await staff.getByLabel('Why', { exact: true }).fill('Two consultant stroke physicians are still to be recruited.');
  await staff.getByRole('checkbox', { name: 'Workforce', exact: true }).check();
  await staff.getByRole('checkbox', { name: 'Hyperacute stroke services' }).check();
  await staff.getByRole('radio', { name: 'They start later by the months below' }).check();
  await staff.getByLabel('Share (per cent) or delay (months)').fill('6');
  await staff.getByRole('button', { name: 'Save the proposal' }).click();
  await staff.waitForURL(/decisions\/proposals\/\d+$/);
  await assert.doesNotReject(staff.getByText(/If carried, the chance the footprint balances its books/).waitFor());
});

test('overlaps show on the footprint page, and the audit log is readable', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/footprints/DEMO01`);
  const row = page.getByRole('row', { name: /^Healthwatch Northshire/ });
  await assert.doesNotReject(row.getByRole('link', { name: 'Humber, Coast and Vale' }).waitFor());
  await accessible(page);
  await signIn(page, 'Site administrator');
  await page.goto(`${base}/admin/audit`);
  await accessible(page);
  await page.getByRole('link', { name: 'Accounts' }).click();
  await accessible(page);
  await page.getByLabel('Name', { exact: true }).fill('Jo Bloggs');
  await page.getByLabel('Email address').fill('jo.bloggs@example.org');
  await page.getByLabel('Site-wide role').selectOption({ label: 'National assurance' });
  await page.getByRole('button', { name: 'Create account' }).click();
  await assert.doesNotReject(page.getByText('The account jo.bloggs@example.org was created').waitFor());
  await accessible(page);
});

test('a lead edits an initiative, sees the chance of balance change, publishes, and the public reads it', async () => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, 'Footprint lead / programme office');
  await page.goto(`${base}/footprints/DEMO01/plan`);
  await page.getByRole('link', { name: 'Edit Urgent and emergency care redesign' }).click();
  await accessible(page);
  // A mistake first: the error is on the field and the input is kept.
  await page.getByLabel('Months from start to full effect').fill('0');
  await page.getByRole('button', { name: 'Save and see the stress test' }).click();
  await assert.doesNotReject(page.getByText('Months to full effect must be a whole number').first().waitFor());
  await accessible(page);
  await page.getByLabel('Months from start to full effect').fill('18');
  await page.getByLabel('Most likely').first().fill('60');
  await page.getByLabel('Confidence in delivery').selectOption('high');
  await page.getByRole('button', { name: 'Try it without saving' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'What this change would do' }).waitFor());
  await accessible(page);
  await page.getByRole('button', { name: 'Save and see the stress test' }).click();
  await assert.doesNotReject(page.getByText('Saved: Urgent and emergency care redesign').waitFor());
  const change = await page.getByText(/^Chance of balance in the final year: \d+(\.\d)?% before, \d+(\.\d)?% now/).textContent();
  const [, before, now] = change.match(/: (\d+(?:\.\d)?)% before, (\d+(?:\.\d)?)% now/);
  assert.ok(Number(now) > Number(before), `a bigger, surer saving raises the chance of balance (${change})`);
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/plan/finances`);
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/plan/vision`);
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/plan/initiatives/new`);
  await page.getByRole('button', { name: 'Add and give its figures' }).click();
  await assert.doesNotReject(page.getByText("Enter the initiative's name").first().waitFor());
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/plan/import`);
  await page.getByRole('button', { name: 'Import' }).click();
  await assert.doesNotReject(page.getByText('Choose a plan file to upload').first().waitFor());
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/plan/stress`);
  await page.getByRole('button', { name: 'Publish this draft' }).click();
  await page.waitForURL(/\/footprints\/DEMO01\/plan\/versions\/\d+$/);
  await assert.doesNotReject(page.getByText('Published', { exact: true }).first().waitFor());
  // Signed out, anyone reads the published plan with the change.
  const reader = await (await browser.newContext()).newPage();
  await reader.goto(`${base}/footprints/DEMO01/plan`);
  const row = reader.getByRole('row', { name: /Urgent and emergency care redesign/ });
  await assert.doesNotReject(row.getByText('£60.0m').waitFor());
  await accessible(reader);
  // Printed, the plan is the document alone: no site header, menu, footer or buttons.
  await reader.emulateMedia({ media: 'print' });
  assert.equal(await reader.locator('header.nhsuk-header').isVisible(), false);
  assert.equal(await reader.locator('footer.nhsuk-footer').isVisible(), false);
  assert.equal(await reader.getByRole('heading', { level: 1 }).isVisible(), true);
  await reader.emulateMedia({ media: 'screen' });
  await reader.getByRole('link', { name: 'what changed between them' }).click();
  await assert.doesNotReject(reader.getByText(/Both runs use the same 20,000 scenarios/).waitFor());
  await accessible(reader);
});

test('a member of the public responds to a consultation and staff see it in the analysis', async () => {
  const page = await (await browser.newContext()).newPage();
  await page.goto(base);
  await page.getByRole('link', { name: 'The future of urgent and emergency care in Eastvale' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'The options' }).waitFor());
  await assert.doesNotReject(page.getByText(/Chance the footprint balances its books/).first().waitFor());
  await accessible(page);
  await page.getByRole('link', { name: 'Respond to this consultation' }).click();
  await accessible(page);
  // Sending it empty: the error summary names what is missing, and the page stays accessible.
  await page.getByRole('button', { name: 'Send my response' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'There is a problem' }).waitFor());
  await assert.doesNotReject(page.getByRole('link', { name: /Choose an answer to question 1/ }).waitFor());
  await accessible(page);
  await page.getByRole('radio', { name: 'B: keep both emergency departments as they are' }).check();
  await page.getByLabel('Place for: A: one major emergency department at Northshire General').selectOption('3');
  await page.getByLabel('Place for: B: keep both emergency departments as they are').selectOption('1');
  await page.getByLabel('Place for: C: one major department, moving over three years').selectOption('2');
  await page.getByRole('checkbox', { name: 'NHS 111' }).check();
  await page.getByLabel(/What would these changes mean/).fill('My father would have to travel 40 minutes by bus. Call me on 07700 900123.');
  await page.getByLabel('Your name (optional)').fill('Pat Example');
  await page.getByLabel('Yes, publish it without my personal details').check();
  await page.getByRole('button', { name: 'Send my response' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'Response received' }).waitFor());
  const reference = await page.locator('strong').first().textContent();
  await accessible(page);
  // Staff see it in the analysis, and publish it with personal details removed.
  const staff = await (await browser.newContext()).newPage();
  await signIn(staff, 'Footprint contributor');
  await staff.goto(`${base}/footprints/DEMO01/consultations/1/analysis`);
  await assert.doesNotReject(staff.getByText(/\d+ responses?;/).waitFor());
  await assert.doesNotReject(staff.getByRole('cell', { name: /My father would have to travel 40 minutes/ }).waitFor());
  await accessible(staff);
  await staff.getByRole('link', { name: reference.trim(), exact: true }).click();
  await accessible(staff);
  await staff.getByLabel('Add a theme').fill('Travel');
  await staff.getByRole('button', { name: 'Add the theme' }).click();
  await assert.doesNotReject(staff.getByText('travel', { exact: true }).waitFor());
  const published = staff.getByLabel(/as it will be published/);
  assert.match(await published.inputValue(), /Call me on \[removed\]/);
  await staff.getByRole('button', { name: 'Publish this response' }).click();
  await staff.waitForURL(/responses\/\d+$/);
  await page.goto(`${base}/footprints/DEMO01/consultations/1`);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Published responses' }).waitFor());
  assert.equal(await page.getByText('Pat Example').count(), 0, 'no name published');
  assert.equal(await page.getByText(/07700/).count(), 0, 'no telephone number published');
  // The programme office sees the Gunning checks; the engagement page shows the coverage.
  const lead = await (await browser.newContext()).newPage();
  await signIn(lead, 'Footprint lead / programme office');
  await lead.goto(`${base}/footprints/DEMO01/consultations/1/manage`);
  await assert.doesNotReject(lead.getByRole('heading', { name: 'The Gunning principles' }).waitFor());
  await accessible(lead);
  await lead.goto(`${base}/footprints/DEMO01/consultations/new`);
  await accessible(lead);
  await page.goto(`${base}/footprints/DEMO01/engagement`);
  await assert.doesNotReject(page.getByRole('region', { name: 'Coverage: groups by priorities' }).waitFor());
  await accessible(page);
  await page.goto(`${base}/consultations`);
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/consultations`);
  await accessible(page);
  await staff.goto(`${base}/footprints/DEMO01/engagement/activities/new`);
  await accessible(staff);
  // The voluntary sector directory, and asking to join a footprint's engagement.
  await page.getByRole('link', { name: 'Voluntary sector' }).first().click();
  await assert.doesNotReject(page.getByRole('heading', { name: "Eastvale Carers' Network" }).waitFor());
  await accessible(page);
  await page.getByRole('link', { name: "Ask for your organisation to join a footprint's engagement" }).click();
  await page.getByRole('button', { name: 'Send the request' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'There is a problem' }).waitFor());
  await accessible(page);
  await page.getByLabel('Footprint', { exact: true }).selectOption({ label: 'Northshire and Eastvale (fictional)' });
  await page.getByLabel('Its name').fill('Eastvale Youth Forum');
  await page.getByLabel('Contact name').fill('Jo Example');
  await page.getByLabel('Contact email address').fill('jo@example.org');
  await page.getByLabel(/Who you work with/).fill('Young people aged 11 to 19 across Eastvale.');
  await page.getByRole('button', { name: 'Send the request' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'Request sent' }).waitFor());
  await accessible(page);
  await lead.goto(`${base}/footprints/DEMO01/engagement`);
  await lead.getByRole('button', { name: 'Accept Eastvale Youth Forum' }).click();
  await assert.doesNotReject(lead.getByRole('link', { name: 'Eastvale Youth Forum' }).waitFor());
  await accessible(lead);
  // The lead keeps a partner's directory entry up to date.
  await lead.goto(`${base}/vcs`);
  await lead.getByRole('link', { name: "Eastvale Carers' Network" }).click();
  await lead.getByRole('link', { name: /Edit the entry/ }).click();
  await accessible(lead);
  await lead.getByLabel('Where it works').fill('Eastvale and north Northshire');
  await lead.getByRole('button', { name: 'Save' }).click();
  await assert.doesNotReject(lead.getByText('Eastvale and north Northshire').waitFor());
});

test('a board member responds to a proposal; the decision appears in the public register', async () => {
  const member = await (await browser.newContext()).newPage();
  await signIn(member, 'Board member');
  await member.getByRole('link', { name: 'Notifications' }).click();
  await assert.doesNotReject(member.getByRole('link', { name: /awaits a response from Northshire County Council/ }).waitFor());
  await accessible(member);
  await member.goto(`${base}/footprints/DEMO01`);
  await member.getByRole('link', { name: 'The board: who decides, and how' }).click();
  await assert.doesNotReject(member.getByRole('heading', { name: 'Northshire and Eastvale Partnership Board' }).waitFor());
  await accessible(member);
  await member.getByRole('link', { name: 'Northshire and Eastvale Partnership Board' }).click();
  await accessible(member);
  await member.goto(`${base}/footprints/DEMO01/decisions`);
  await accessible(member);
  await member.getByRole('link', { name: 'Consolidate emergency surgery at Northshire General' }).click();
  await assert.doesNotReject(member.getByRole('heading', { name: 'Decision pack' }).waitFor());
  await assert.doesNotReject(member.getByText(/The plan already counts on this/).waitFor());
  await accessible(member);
  // An objection needs a reason: the error is named and linked.
  await member.getByLabel('Object', { exact: true }).check();
  await member.getByRole('button', { name: 'Send the response' }).click();
  await assert.doesNotReject(member.getByRole('heading', { name: 'There is a problem' }).waitFor());
  await accessible(member);
  await member.getByLabel('Consent', { exact: true }).check();
  await member.getByRole('button', { name: 'Send the response' }).click();
  await member.waitForURL(/responded=1/);
  await assert.doesNotReject(member.getByRole('cell', { name: 'Consent' }).first().waitFor());
  // The programme office closes the meeting; the decision is recorded.
  const lead = await (await browser.newContext()).newPage();
  await signIn(lead, 'Footprint lead / programme office');
  await lead.goto(`${base}/footprints/DEMO01/board`);
  await lead.getByRole('link', { name: /Board meeting in public/ }).first().click();
  await accessible(lead);
  await lead.getByLabel('Minutes of the meeting').fill('Agreed, Eastvale Borough Council dissenting on travel times.');
  await lead.getByRole('button', { name: 'Close the meeting and record the decisions' }).click();
  await assert.doesNotReject(lead.getByText('Consolidate emergency surgery at Northshire General: Carried').waitFor());
  await accessible(lead);
  await lead.goto(`${base}/footprints/DEMO01/decisions/propose`);
  await accessible(lead);
  for (const path of ['board', 'board/bodies/1', 'decisions/3', 'decisions/proposals/1']) {
    await lead.goto(`${base}/footprints/DEMO01/${path}`);
    await accessible(lead);
  }
  // The public reads it in the register, with the dissent and the pack it rested on.
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/footprints/DEMO01/decisions`);
  await assert.doesNotReject(page.getByRole('link', { name: 'Consolidate emergency surgery at Northshire General' }).waitFor());
  assert.equal(await page.getByText('Eastvale Road').count(), 0, 'a confidential decision is not described');
  await assert.doesNotReject(page.getByRole('link', { name: 'Confidential decision' }).waitFor());
  await accessible(page);
  await page.getByRole('link', { name: 'Consolidate emergency surgery at Northshire General' }).click();
  await assert.doesNotReject(page.getByText(/Eastvale residents will travel up to 40 minutes further/).waitFor());
  await assert.doesNotReject(page.getByText('Northshire County Council', { exact: false }).first().waitFor());
  await accessible(page);
  await page.goto(`${base}/footprints/DEMO01/decisions`);
  await page.getByRole('link', { name: 'Confidential decision' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'Confidential decision' }).waitFor());
  await accessible(page);
  // Delivery: what is late and who owns it; a contributor records a milestone without JavaScript's help.
  await page.goto(`${base}/footprints/DEMO01`);
  await page.getByRole('link', { name: 'Delivery: milestones, savings, and what is late' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'What is late, and who owns it' }).waitFor());
  await accessible(page);
  const staff = await (await browser.newContext()).newPage();
  await signIn(staff, 'Footprint contributor');
  await staff.goto(`${base}/footprints/DEMO01/delivery`);
  await accessible(staff);
  await staff.getByText('Update Hyper-acute stroke unit open').click();
  const row = staff.locator('details', { hasText: 'Update Hyper-acute stroke unit open' });
  await row.getByLabel('Where it stands').selectOption('done');
  await row.getByLabel('Note').fill('Opened on 1 October 2018');
  await row.getByRole('button', { name: 'Save Hyper-acute stroke unit open' }).click();
  await assert.doesNotReject(staff.getByText('Opened on 1 October 2018').waitFor());
  await staff.getByLabel('Savings brought in (£ millions)').fill('lots');
  await staff.getByRole('button', { name: 'Record the savings' }).click();
  await assert.doesNotReject(staff.getByRole('heading', { name: 'There is a problem' }).waitFor());
  await accessible(staff);
});

test('national assurance rates a submission and the footprint sees the feedback', async () => {
  const lead = await (await browser.newContext()).newPage();
  await signIn(lead, 'Footprint lead / programme office');
  await lead.goto(`${base}/footprints/DEMO01/submissions`);
  await assert.doesNotReject(lead.getByRole('heading', { name: 'National guidance: what is required, and what is done' }).waitFor());
  await assert.doesNotReject(lead.getByText('Awaiting feedback').first().waitFor());
  await accessible(lead);
  const na = await (await browser.newContext()).newPage();
  await signIn(na, 'National assurance');
  await na.getByRole('link', { name: 'National', exact: true }).click();
  await na.getByRole('link', { name: 'Guidance', exact: true }).click();
  await assert.doesNotReject(na.getByText(/the deadline moved from 30 June 2016 to 21 October 2016/).waitFor());
  await accessible(na);
  await na.getByRole('link', { name: "Footprints' submissions" }).click();
  await accessible(na);
  await na.getByRole('link', { name: /Plan version 1 for "Submit the draft plan"/ }).first().click();
  // Reasons are required: a rating is never a bare judgement.
  await na.getByLabel('Making progress').check();
  await na.getByRole('button', { name: 'Give the feedback' }).click();
  await assert.doesNotReject(na.getByRole('heading', { name: 'There is a problem' }).waitFor());
  await accessible(na);
  await na.getByLabel('Why this rating').fill('The finances are credible, but councils were informed rather than involved.');
  await na.getByLabel('What to do next').fill('Bring both councils onto the partnership board.');
  await na.getByRole('button', { name: 'Give the feedback' }).click();
  await assert.doesNotReject(na.getByText('The finances are credible, but councils were informed rather than involved.').waitFor());
  await accessible(na);
  // The footprint sees the rating and the reasons.
  await lead.reload();
  await assert.doesNotReject(lead.getByText('Making progress').first().waitFor());
  await lead.getByRole('link', { name: /Plan version 1 for "Submit the draft plan"/ }).first().click();
  await assert.doesNotReject(lead.getByText('Bring both councils onto the partnership board.').waitFor());
  await accessible(lead);
  // National assurance starts the next version of the guidance.
  await na.goto(`${base}/national/guidance`);
  await na.getByLabel('Title').fill('Winter update');
  await na.getByRole('button', { name: 'Start the version' }).click();
  await assert.doesNotReject(na.getByRole('heading', { name: /Draft: version 3, Winter update/ }).waitFor());
  await accessible(na);
  // The national stress test runs in the background; the dashboard then shows its figures.
  await na.goto(`${base}/national/stress`);
  await accessible(na);
  await na.getByLabel('Scenarios per footprint').fill('2000');
  await na.getByRole('button', { name: 'Run the national stress test' }).click();
  for (let i = 0; i < 60 && await na.getByRole('heading', { name: 'The latest finished run' }).count() === 0; i += 1) {
    await new Promise((r) => setTimeout(r, 500));
    await na.goto(`${base}/national/stress`);
  }
  await assert.doesNotReject(na.getByRole('heading', { name: 'The latest finished run' }).waitFor());
  await accessible(na);
  await na.getByRole('link', { name: 'National', exact: true }).click();
  await assert.doesNotReject(na.getByRole('heading', { name: 'National dashboard' }).waitFor());
  await accessible(na);
  await na.getByRole('link', { name: /^Chance of balance/ }).click();
  await na.waitForURL(/sort=balance/);
  await accessible(na);
});

test('a partner member changes their password', async () => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, 'Partner organisation member');
  await page.getByRole('link', { name: 'Change your password' }).click();
  await page.waitForURL(`${base}/account/password`);
  await accessible(page);
  // A mistake first: the error summary takes focus and names each field.
  await page.getByRole('button', { name: 'Change password' }).click();
  await assert.doesNotReject(page.getByText('There is a problem').waitFor());
  await assert.doesNotReject(page.getByRole('link', { name: 'Enter your current password' }).waitFor());
  await accessible(page);
  const fresh = 'quarry lantern meadow ninety';
  await page.getByLabel('Your current password').fill(accounts['Partner organisation member'].password);
  await page.getByLabel('New password', { exact: true }).fill(fresh);
  await page.getByLabel('Confirm the new password').fill(fresh);
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL(/\/account\?password=changed/);
  await assert.doesNotReject(page.getByText('Your password is changed').waitFor());
  await accessible(page);
  accounts['Partner organisation member'].password = fresh;
});

/** The six-digit code of a base32 key (RFC 6238), `ahead` time steps from now. */
function totp(key, ahead = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bytes = [];
  let value = 0;
  let bits = 0;
  for (const c of key.toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >>> bits) & 255);
    }
    value &= (1 << bits) - 1;
  }
  const step = Buffer.alloc(8);
  step.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + ahead));
  const h = createHmac('sha1', Buffer.from(bytes)).update(step).digest();
  const o = h[h.length - 1] & 15;
  const n = (((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3]) % 1_000_000;
  return String(n).padStart(6, '0');
}

test('a board member turns on two-factor sign-in and signs in with a code', async () => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, 'Board member');
  await page.getByRole('link', { name: 'Set up two-factor sign-in' }).click();
  await page.waitForURL(`${base}/account/two-factor`);
  await assert.doesNotReject(page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor());
  await accessible(page);
  const key = (await page.locator('dd code').first().textContent()).replace(/\s/g, '');
  // A mistake first: the error summary names each field.
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await assert.doesNotReject(page.getByRole('link', { name: 'Enter your current password' }).waitFor());
  await accessible(page);
  await page.getByLabel('Your current password').fill(accounts['Board member'].password);
  await page.getByLabel('Code from your app').fill(totp(key));
  await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
  await assert.doesNotReject(page.getByRole('heading', { name: 'Your recovery codes' }).waitFor());
  await accessible(page);
  await page.getByRole('link', { name: 'I have kept my recovery codes' }).click();
  await page.waitForURL(`${base}/account`);
  await assert.doesNotReject(page.getByText('Two-factor sign-in was turned on for your account').waitFor());
  await accessible(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  // Signing in again: the password, then the code.
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email address').fill(accounts['Board member'].email);
  await page.getByLabel('Password').fill(accounts['Board member'].password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${base}/sign-in/code`);
  await accessible(page);
  await page.getByRole('button', { name: 'Continue' }).click();
  await assert.doesNotReject(page.getByText('There is a problem').waitFor());
  await accessible(page);
  await page.getByLabel('Code').fill(totp(key, 1));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${base}/account`);
  await assert.doesNotReject(page.getByText(/^On \(10 unused recovery codes\)/).waitFor());
  // Managing it: new recovery codes, or off, each with its own form.
  await page.getByRole('link', { name: 'Manage two-factor sign-in' }).click();
  await page.waitForURL(`${base}/account/two-factor`);
  await assert.doesNotReject(page.getByRole('button', { name: 'Turn off two-factor sign-in' }).waitFor());
  await accessible(page);
});
