// Headless Chromium checks of GraphiQL and the live board, against a running server.
//
//   node check.mjs <graphiql|board|customer>
//
// Environment: BASE (http://host:port), TOKEN (the JWT the page uses), ADMIN_TOKEN (for
// the changes the check makes through the API; default TOKEN), SHOTS (a folder for the
// screenshots), CHROMIUM (the browser, default /usr/bin/chromium), and for the board
// STAGE_ID (a stage in NOT_STARTED shown on the board) and ABSENT (text the board must
// not show, e.g. another client's project); for the customer's part ITEM_ID, REPORT_ID,
// CRITERION_ID, SURVEY_ID and STAGE_ID (what the customer acts on). Any console error, page error,
// failed request or HTTP error response fails the check; so does a request to any
// other host (the pages must work offline). Exit code 0 means every check passed.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

const [what] = process.argv.slice(2);
const base = process.env.BASE;
const token = process.env.TOKEN;
const adminToken = process.env.ADMIN_TOKEN || token;
const shots = process.env.SHOTS;
mkdirSync(shots, { recursive: true });

const problems = [];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.on('console', (m) => {
  if (refusalExpected && /401|Unauthorized/.test(m.text())) return;
  if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
});
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
page.on('request', (r) => {
  if (!r.url().startsWith(base) && !r.url().startsWith(base.replace('http', 'ws')) && !r.url().startsWith('data:')) {
    problems.push(`request to another host: ${r.url()}`);
  }
});
// While a bad token is tried on purpose, its 401s (and the console's note of them) are
// the expected answers.
let refusalExpected = false;
page.on('response', (r) => {
  if (r.status() === 401 && refusalExpected) return;
  if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()} ${(r.request().postData() || "").slice(0, 200)}`);
});

async function gql(query, variables) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

function check(ok, message) {
  if (!ok) problems.push(message);
}

// Text below WCAG AA contrast (4.5:1) among the elements `selector` matches (those with
// their own text), against the background they sit on.
function lowContrast(selector) {
  return page.evaluate((selector) => {
    const rgb = (c) => (c.match(/[\d.]+/g) || []).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (e) => {
      for (let n = e; n; n = n.parentElement) {
        const bg = getComputedStyle(n).backgroundColor;
        if (bg && !bg.startsWith('rgba(0, 0, 0, 0)') && bg !== 'transparent') return rgb(bg);
      }
      return [255, 255, 255];
    };
    const out = [];
    for (const e of document.querySelectorAll(selector)) {
      if (!e.textContent.trim() || e.children.length > 2) continue;
      const a = lum(rgb(getComputedStyle(e).color)), b = lum(background(e));
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < 4.5) out.push(`${e.tagName.toLowerCase()}.${e.className} ${ratio.toFixed(2)}`);
    }
    return [...new Set(out)];
  }, selector);
}

async function setToken() {
  await page.fill('#token', token);
  await page.press('#token', 'Tab');
}

async function graphiql() {
  // A link carrying the token (as `demo` prints): the server says who it is, and the
  // token leaves the address bar.
  await page.goto(`${base}/graphiql#token=${encodeURIComponent(token)}`);
  try {
    await page.waitForSelector('#who[data-state="ok"]', { timeout: 5000 });
  } catch {
    problems.push(`the viewer was not shown: ${await page.textContent('#who')}`);
  }
  check((await page.evaluate(() => location.hash)) === '', 'the token stayed in the address bar');
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');
  const opened = await page.evaluate(() => document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror.getValue() ?? '');
  check(opened.includes('projects(first: 5)'), `GraphiQL opened on: ${opened.slice(0, 80)}`);
  // A token pasted, without leaving the box, applies to the very next run.
  await page.fill('#token', '');
  await page.fill('#token', token);
  await page.waitForTimeout(300);
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');
  const run = async (query) => {
    await page.evaluate((q) => {
      document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(q);
    }, query);
    // GraphiQL parses the edited document after a short debounce; a person clicks later.
    await page.waitForTimeout(500);
    await page.click('.graphiql-execute-button');
  };
  const result = () => page.evaluate(() => document.querySelector('.result-window')?.innerText ?? '');
  const waitFor = async (text, ms) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if ((await result()).includes(text)) return true;
      await page.waitForTimeout(50);
    }
    return false;
  };

  await run('{ serviceLevelPolicy { name timeZone } }');
  check(await waitFor('Asia/Shanghai', 5000), `query result: ${await result()}`);
  await page.screenshot({ path: `${shots}/graphiql-query.png` });

  await run('subscription { ticketStatusChanged { to ticket { title } } }');
  await page.waitForTimeout(500);
  const { tickets } = await gql('{ tickets(first: 1) { edges { node { id } } } }');
  await gql('mutation($id: ID!) { changeTicketStatus(id: $id, status: ACKNOWLEDGED) { status } }', {
    id: tickets.edges[0].node.id,
  });
  check(await waitFor('ACKNOWLEDGED', 5000), `subscription result: ${await result()}`);
  await page.screenshot({ path: `${shots}/graphiql-subscription.png` });

  // A token the server refuses is said, for queries and for subscriptions alike, instead
  // of a websocket reconnecting silently.
  refusalExpected = true;
  await page.fill('#token', 'not-a-token');
  await page.waitForTimeout(300);
  try {
    await page.waitForSelector('#who[data-state="refused"]', { timeout: 5000 });
  } catch {
    problems.push(`a bad token was not reported: ${await page.textContent('#who')}`);
  }
  await page.waitForSelector('.graphiql-query-editor .CodeMirror');
  await run('subscription { ticketStatusChanged { to } }');
  const said = async () => (await page.textContent('#who')) || '';
  const until = Date.now() + 5000;
  while (Date.now() < until && !(await said()).includes('subscriptions refused')) await page.waitForTimeout(50);
  check((await said()).includes('subscriptions refused'), `a refused subscription was not reported: ${await said()}`);
  await page.screenshot({ path: `${shots}/graphiql-refused.png` });
  await page.setViewportSize({ width: 375, height: 812 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${shots}/graphiql-phone.png` });
  await page.setViewportSize({ width: 1400, height: 900 });
}

async function board() {
  const stage = process.env.STAGE_ID;
  await page.goto(`${base}/board`);
  await setToken();
  await page.waitForSelector('#status[data-state="live"]', { timeout: 10000 });
  const badge = `[data-stage="${stage}"] .badge[data-v="IN_PROGRESS"]`;
  check((await page.$(`[data-stage="${stage}"]`)) !== null, 'the stage is not on the board');
  check((await page.$(badge)) === null, 'the stage is already in progress');
  if (!process.env.ADMIN_TOKEN) {
    check(await page.evaluate(() => document.getElementById('yours').hidden), "staff see the customer's part");
  }
  const absent = process.env.ABSENT;
  if (absent) {
    const text = await page.evaluate(() => document.body.innerText);
    check(!text.includes(absent), `the board shows ${absent}`);
  }
  const started = Date.now();
  await gql('mutation($id: ID!) { changeStageStatus(id: $id, status: IN_PROGRESS) { status } }', { id: stage });
  try {
    await page.waitForSelector(badge, { timeout: 1000 });
    console.log(`board updated ${Date.now() - started} ms after the mutation was sent`);
  } catch {
    problems.push('the board did not show the change within a second');
  }
  await page.screenshot({ path: `${shots}/board.png` });

  // What a person reads: labelled badges, numbers on the bars, empty states, who is viewing.
  const look = await page.evaluate(() => {
    const cards = [...document.querySelectorAll('.project')];
    const labels = [...document.querySelectorAll('[data-stage] .badge .label')].map((l) => l.textContent);
    return {
      cards: cards.length,
      labelled: labels.includes('plan: ') && labels.includes('status: '),
      numbers: [...document.querySelectorAll('.progress')].every((b) => b.parentElement.querySelector('.progress-text')?.textContent.includes('%')),
      emptyStates: cards.every((c) => c.querySelector('.tickets li') || c.textContent.includes('no open tickets')),
      viewer: document.getElementById('viewer').textContent,
    };
  });
  check(look.cards > 0, 'no project card');
  check(look.labelled, 'milestone badges carry no labels');
  check(look.numbers, 'a progress bar has no number');
  check(look.emptyStates, 'a card without open tickets does not say so');
  check(look.viewer.startsWith('viewing as '), `who is viewing is not shown: ${look.viewer}`);

  // Text contrast (WCAG AA, 4.5:1) of the board's text styles on their backgrounds.
  const low = await lowContrast('.meta, .empty, .progress-text, .badge, h3, #viewer, #status, li span');
  check(low.length === 0, `text below 4.5:1 contrast: ${low.join(', ')}`);

  // The keyboard reaches the token box first, and focus shows.
  await page.click('header strong'); // the reading position: the page's title
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement?.id === 'token'), 'Tab does not reach the token box first');

  // On a phone: one column, nothing wider than the screen.
  await page.setViewportSize({ width: 375, height: 812 });
  await page.waitForTimeout(200);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the board is ${overflow}px wider than a phone`);
  await page.screenshot({ path: `${shots}/board-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1400, height: 900 });

  // Not live (here: a token the server refuses): the cards shown are dimmed as stale.
  refusalExpected = true;
  await page.fill('#token', 'not-a-token');
  await page.press('#token', 'Tab');
  try {
    await page.waitForSelector('main.stale', { timeout: 5000 });
  } catch {
    problems.push('cards are not dimmed while the board is not live');
  }
}

// The customer's part of the board, done as the customer would: a task completed, a
// report read, a criterion passed, the survey answered, a milestone rated; each checked
// through the API as staff afterwards.
async function customer() {
  const env = (k) => process.env[k];
  const [item, report, criterion, survey, stage] = ['ITEM_ID', 'REPORT_ID', 'CRITERION_ID', 'SURVEY_ID', 'STAGE_ID'].map(env);
  await page.goto(`${base}/board`);
  await setToken();
  await page.waitForSelector('#yours[data-state="ready"]', { timeout: 10000 });
  const node = async (id, fields) => (await gql(`query($id: ID!) { node(id: $id) { ... on ${fields} } }`, { id })).node;
  const gone = async (selector, what) => {
    try {
      await page.waitForSelector(selector, { state: 'detached', timeout: 5000 });
    } catch {
      problems.push(`${what}: still shown`);
    }
  };

  await page.screenshot({ path: `${shots}/customer.png`, fullPage: true });
  await page.click(`[data-item="${item}"] button`);
  await gone(`[data-item="${item}"]`, 'the completed task');
  check((await node(item, 'ActionItem { status }')).status === 'DONE', 'the task is not DONE');

  await page.click(`[data-report="${report}"] button`);
  try {
    await page.waitForSelector(`[data-report="${report}"] .report-body:not([hidden])`, { timeout: 5000 });
  } catch {
    problems.push('the report was not shown after Read');
  }
  const reads = (await node(report, 'Report { reads { contact { name } } }')).reads;
  check(reads.length === 1, `report reads: ${JSON.stringify(reads)}`);

  await page.fill(`[data-criterion="${criterion}"] textarea`, 'all three dashboards on the screens');
  await page.click(`[data-criterion="${criterion}"] button:has-text("Pass")`);
  await gone(`[data-criterion="${criterion}"]`, 'the passed criterion');
  const judged = await node(criterion, 'AcceptanceCriterion { status note }');
  check(judged.status === 'PASSED' && judged.note === 'all three dashboards on the screens', `criterion: ${JSON.stringify(judged)}`);

  await page.selectOption(`[data-survey="${survey}"] select[name="score"]`, '4');
  await page.selectOption(`[data-survey="${survey}"] select[name="recommend"]`, '9');
  await page.fill(`[data-survey="${survey}"] textarea`, 'quick answers, late reports');
  await page.click(`[data-survey="${survey}"] button`);
  await gone(`[data-survey="${survey}"]`, 'the answered survey');
  const answers = (await node(survey, 'Survey { answers { score recommend comment } }')).answers;
  check(JSON.stringify(answers) === JSON.stringify([{ score: 4, recommend: 9, comment: 'quick answers, late reports' }]), `survey answers: ${JSON.stringify(answers)}`);

  await page.selectOption(`[data-rate="${stage}"] select[name="score"]`, '5');
  await page.fill(`[data-rate="${stage}"] textarea`, 'on time');
  await page.click(`[data-rate="${stage}"] button`);
  try {
    await page.waitForSelector(`[data-rate="${stage}"] :text("you rated it 5 of 5")`, { timeout: 5000 });
  } catch {
    problems.push('the rating is not shown');
  }
  const ratings = (await node(stage, 'Stage { ratings { score comment } }')).ratings;
  check(JSON.stringify(ratings) === JSON.stringify([{ score: 5, comment: 'on time' }]), `ratings: ${JSON.stringify(ratings)}`);
  await page.screenshot({ path: `${shots}/customer-done.png`, fullPage: true });

  // Labelled controls, readable text, and a phone's width.
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('#yours select, #yours textarea')]
    .filter((c) => !c.closest('label')).length);
  check(unlabelled === 0, `${unlabelled} controls without a label`);
  const low = await lowContrast('#yours h2, #yours span, #yours div, #yours p, #yours button, #yours .field');
  check(low.length === 0, `text below 4.5:1 contrast: ${low.join(', ')}`);
  await page.setViewportSize({ width: 375, height: 812 });
  await page.waitForTimeout(200);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the customer's part is ${overflow}px wider than a phone`);
  await page.screenshot({ path: `${shots}/customer-phone.png`, fullPage: true });
}

try {
  if (what === 'graphiql') await graphiql();
  else if (what === 'board') await board();
  else if (what === 'customer') await customer();
  else problems.push(`unknown check ${what}`);
} catch (e) {
  problems.push(`${e.stack || e}`);
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${what}: ok`);
