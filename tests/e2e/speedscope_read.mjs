// speedscope_read.mjs — load a profile into speedscope (headless chromium via playwright-core) and write back what it understood.
//
// usage: node speedscope_read.mjs MODULES CHROMIUM PROFILE OUT
//
//   MODULES   a node_modules directory holding speedscope and playwright-core
//             (tests/e2e/speedscope_setup.sh installs them)
//   CHROMIUM  the chromium binary to drive (e.g. /usr/bin/chromium)
//   PROFILE   the file to import, as a user would: through the landing page's
//             "Browse" file input
//   OUT       prefix of the files written:
//     OUT.chromium/  all chromium keeps (its profile, config, crash
//                    reports): the processes it starts have this path on
//                    their command line, which is how the caller finds any
//                    left behind
//     OUT.sandwich   the Sandwich view's table as speedscope renders it, one
//                    row a line: "TOTAL<tab>SELF<tab>NAME", the cells' text
//                    (e.g. "2,581 (60%)"; for time units "1.10s (60%)")
//     OUT.json       the profile speedscope exports (its "Export" button:
//                    speedscope's own JSON file format)
//     OUT.folded     OUT.json's samples folded again, "a;b;c WEIGHT", one
//                    line a distinct stack (weights in OUT.json's unit)
//     OUT.unit       the exported profile's weight unit ("none", "nanoseconds")
//   and on stdout "importer: ..." (speedscope's own console line naming the
//   format it recognised).  Exit 0 when all of that was read, 1 otherwise.
//
// Nothing of speedscope is copied here: the page is driven like a user would
// (file input, the "3" key for the Sandwich view, the Export button).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [modules, chromiumPath, profile, out] = process.argv.slice(2);
if (!out) {
	console.error('usage: node speedscope_read.mjs MODULES CHROMIUM PROFILE OUT');
	process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'x.js'));
const { chromium } = require('playwright-core');
const indexHtml = path.join(path.resolve(modules), 'speedscope/dist/release/index.html');

const STEP_MS = 20000;      // any one wait
const OVERALL_MS = 50000;   // the whole script

let browser = null;   // the persistent context (closing it ends chromium)
async function closeBrowser() {
	const b = browser;
	browser = null;
	if (b) await b.close().catch(() => {});
}
function die(msg) {
	console.error(`speedscope_read: ${msg}`);
	closeBrowser().finally(() => process.exit(1));
}
process.on('SIGTERM', () => die('terminated'));
process.on('SIGINT', () => die('interrupted'));
setTimeout(() => die(`gave up after ${OVERALL_MS / 1000} s`), OVERALL_MS).unref();

const consoleLines = [];
const problems = [];

try {
	const args = ['--disable-dev-shm-usage', '--disable-background-networking',
		'--no-first-run', '--no-default-browser-check', '--disable-crash-reporter'];
	// (playwright adds --no-sandbox itself: chromium's sandbox refuses root.)
	// Everything chromium keeps (profile, crash reports) under OUT.chromium/,
	// whose path is on the command line of each process it starts.
	const home = path.resolve(`${out}.chromium`);
	fs.mkdirSync(`${home}/config`, { recursive: true });
	browser = await chromium.launchPersistentContext(`${home}/profile`, {
		executablePath: chromiumPath, headless: true, args, timeout: STEP_MS,
		env: { ...process.env, XDG_CONFIG_HOME: `${home}/config`, XDG_CACHE_HOME: `${home}/cache` },
		viewport: { width: 1400, height: 1000 }, locale: 'en-US', acceptDownloads: true,
	});
	const page = browser.pages()[0] || await browser.newPage();
	page.setDefaultTimeout(STEP_MS);
	page.on('console', m => consoleLines.push(m.text()));
	page.on('pageerror', e => problems.push(`page error: ${e.message}`));
	// speedscope reports an import it cannot read with alert().
	page.on('dialog', d => { problems.push(`dialog: ${d.message()}`); d.dismiss().catch(() => {}); });

	await page.goto(pathToFileURL(indexHtml).href);
	await page.locator('input[type=file]').setInputFiles(profile);

	// Loaded when the view tabs show (or speedscope complained).
	const tabs = page.getByText(/^\W*Sandwich$/u);
	const deadline = Date.now() + STEP_MS;
	while (!(await tabs.count()) && !problems.length && Date.now() < deadline) await page.waitForTimeout(100);
	if (problems.length) throw new Error(`import failed: ${problems.join('; ')}`);
	if (!(await tabs.count())) throw new Error('the profile did not load (no view tabs)');
	const importer = consoleLines.find(l => l.startsWith('Importing as'));
	console.log(`importer: ${importer || '(no "Importing as" line in the console)'}`);

	// Sandwich view: its keyboard shortcut is "3".
	await page.keyboard.press('3');
	await page.getByText('Symbol Name', { exact: true }).waitFor();
	const rows = await readSandwich(page);
	if (!rows.length) throw new Error('the Sandwich table has no rows');
	fs.writeFileSync(`${out}.sandwich`, rows.map(r => `${r.total}\t${r.self}\t${r.name}\n`).join(''));

	// Export: speedscope saves its JSON through a download.
	const [download] = await Promise.all([
		page.waitForEvent('download'),
		page.getByText(/^\W*Export$/u).click(),
	]);
	await download.saveAs(`${out}.json`);
	const doc = JSON.parse(fs.readFileSync(`${out}.json`, 'utf8'));
	const { folded, unit } = refold(doc);
	fs.writeFileSync(`${out}.folded`, folded);
	fs.writeFileSync(`${out}.unit`, `${unit}\n`);
	if (problems.length) throw new Error(problems.join('; '));
	await closeBrowser();
	process.exit(0);
} catch (e) {
	if (consoleLines.length) console.error(`speedscope console:\n  ${consoleLines.slice(-10).join('\n  ')}`);
	die(e && e.message ? e.message : String(e));
}

// The Sandwich table is virtualised (only the rows in view are in the DOM):
// scroll it a screen at a time, placing each row by its offset in the
// scrolled content so rows seen twice count once.
async function readSandwich(page) {
	const byIndex = new Map();
	for (let pass = 0; pass < 1000; pass++) {
		const { rows, done } = await page.evaluate(() => {
			const trs = [...document.querySelectorAll('tr')].filter(tr => tr.querySelectorAll('td').length === 3);
			if (!trs.length) return { rows: [], done: true };
			let box = trs[0].parentElement;
			while (box && !(box.scrollHeight > box.clientHeight + 1 &&
				/(auto|scroll)/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
			const content = box ? box.firstElementChild : null;
			const top = content ? content.getBoundingClientRect().top : 0;
			const cell = td => {   // the cell's own text, not its bar's
				let s = '';
				for (const n of td.childNodes) if (n.nodeType === Node.TEXT_NODE || n.nodeName === 'SPAN') s += n.textContent;
				return s.trim();
			};
			const rows = trs.map(tr => {
				const td = tr.querySelectorAll('td');
				return {
					index: Math.round((tr.getBoundingClientRect().top - top) / tr.getBoundingClientRect().height),
					total: cell(td[0]), self: cell(td[1]), name: cell(td[2]),
				};
			});
			let done = true;
			if (box && box.scrollTop + box.clientHeight < box.scrollHeight - 1) {
				box.scrollTop += Math.max(1, box.clientHeight - 40);
				done = false;
			}
			return { rows, done };
		});
		for (const r of rows) byIndex.set(r.index, r);
		if (done) break;
		await page.waitForTimeout(100);   // let the list render the new rows
	}
	return [...byIndex.keys()].sort((a, b) => a - b).map(k => byIndex.get(k));
}

// speedscope's file format: shared.frames, and profiles that are "sampled"
// (samples: frame-index stacks, root first; weights) or "evented" (open and
// close events).  Folded again, "a;b;c WEIGHT" per distinct stack.
function refold(doc) {
	const frames = doc.shared && doc.shared.frames;
	if (!Array.isArray(frames) || !Array.isArray(doc.profiles) || !doc.profiles.length)
		throw new Error('the exported JSON has no shared.frames or profiles');
	const sums = new Map();
	const add = (stack, w) => {
		if (!stack.length || !w) return;
		const key = stack.map(i => frames[i].name).join(';');
		sums.set(key, (sums.get(key) || 0) + w);
	};
	const units = new Set();
	for (const p of doc.profiles) {
		units.add(p.unit);
		if (p.type === 'sampled') {
			p.samples.forEach((s, i) => add(s, p.weights[i]));
		} else if (p.type === 'evented') {
			const stack = [];
			let last = p.startValue;
			for (const ev of p.events) {
				add(stack, ev.at - last);
				last = ev.at;
				if (ev.type === 'O') stack.push(ev.frame);
				else stack.pop();
			}
		} else {
			throw new Error(`unknown profile type ${p.type} in the exported JSON`);
		}
	}
	const folded = [...sums].map(([k, w]) => `${k} ${w}\n`).join('');
	return { folded, unit: [...units].join(',') };
}
