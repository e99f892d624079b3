// Lighthouse (its default: a mid-range phone, simulated slow 4G) on each address given, in sequence, in one
// Chromium (CHROME_PATH: Debian's). Started by run.py with:
//   LIGHTHOUSE_PAGES   a JSON list of {"name", "url", "cookie"}: the page's name, its address, and the session
//                      cookie to send ("" for a visitor)
// Prints one JSON line per page: its name, its scores (0-100) and the audits that lost points in each category.
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const CATEGORIES = ['performance', 'accessibility', 'best-practices'];
const pages = JSON.parse(process.env.LIGHTHOUSE_PAGES);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  for (const { name, url, cookie } of pages) {
    const { lhr } = await lighthouse(url, {
      port: chrome.port,
      onlyCategories: CATEGORIES,
      extraHeaders: cookie ? { Cookie: cookie } : undefined,
      logLevel: 'error',
      output: 'json',
    });
    const scores = {};
    const losing = {};
    for (const category of CATEGORIES) {
      const result = lhr.categories[category];
      scores[category] = Math.round(result.score * 100);
      losing[category] = result.auditRefs
        .filter((ref) => ref.weight > 0 && lhr.audits[ref.id].score !== null && lhr.audits[ref.id].score < 1)
        .map((ref) => `${ref.id} (${lhr.audits[ref.id].displayValue || lhr.audits[ref.id].score})`);
    }
    const failure = lhr.runtimeError ? lhr.runtimeError.message : null;
    console.log(JSON.stringify({ name, url: lhr.finalDisplayedUrl, scores, losing, failure }));
  }
} finally {
  await chrome.kill();
}
