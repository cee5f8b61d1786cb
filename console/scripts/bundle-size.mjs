// Reports the size of what the first page loads (index.html and the assets it names),
// gzipped, and fails the build above the budget (issue 16: 300 KB).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET = 300 * 1024;
const dir = 'target/classes/META-INF/resources';
const html = readFileSync(join(dir, 'index.html'), 'utf8');
const assets = [...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]);
let total = gzipSync(html).length;
const lines = [`  index.html ${(total / 1024).toFixed(1)} KB`];
for (const asset of assets) {
  const size = gzipSync(readFileSync(join(dir, asset))).length;
  total += size;
  lines.push(`  ${asset} ${(size / 1024).toFixed(1)} KB`);
}
console.log(`Console initial page: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET / 1024} KB)`);
console.log(lines.join('\n'));
if (total > BUDGET) {
  console.error(`The console's initial page is over its budget: ${total} > ${BUDGET} bytes gzipped`);
  process.exit(1);
}
