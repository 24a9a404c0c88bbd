// npm run validate [-- --target embedded|bmv2] [--out DIR]
// Runs the data-plane scenario suite (test/scenarios) against one target and writes a readable
// report: every scenario with its verdict and the frames in and out, plus a pcap per scenario.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { formatFrame, parseFrame } from '../src/packet/index.js';

const { values } = parseArgs({
  options: {
    target: { type: 'string', default: process.env.P4_TARGET ?? 'embedded' },
    out: { type: 'string' },
  },
});
const target = values.target!;
if (target !== 'embedded' && target !== 'bmv2') {
  console.error(`validate: --target must be embedded or bmv2, not '${target}'`);
  process.exit(2);
}
const outDir = values.out ?? join('reports', target);
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const vitestJson = join(outDir, 'vitest.json');

const run = spawnSync(
  process.execPath,
  [
    join('node_modules', 'vitest', 'vitest.mjs'),
    'run',
    'test/scenarios',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${vitestJson}`,
  ],
  { stdio: 'inherit', env: { ...process.env, P4_TARGET: target, VALIDATE_REPORT_DIR: outDir } },
);

interface AssertionResult {
  fullName: string;
  status: string;
  duration?: number;
  failureMessages: string[];
}
interface FileResult {
  name: string;
  assertionResults: AssertionResult[];
}
interface Exchange {
  scenario: string;
  label: string;
  sent: { port: number; bytes: string };
  received: Array<{ port: number; bytes: string }>;
}

const results: FileResult[] = existsSync(vitestJson)
  ? JSON.parse(readFileSync(vitestJson, 'utf8')).testResults
  : [];
const exchangesFile = join(outDir, 'scenarios.jsonl');
const exchanges: Exchange[] = existsSync(exchangesFile)
  ? readFileSync(exchangesFile, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
  : [];

const describeFrame = (hex: string) => {
  const text = formatFrame(parseFrame(Buffer.from(hex, 'hex')));
  return text
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
};

const lines: string[] = [];
let passed = 0;
let failed = 0;
lines.push(`# Data-plane validation report: ${target}`, '', `Generated ${new Date().toISOString()}.`, '');
for (const file of results) {
  lines.push(`## ${relative(process.cwd(), file.name)}`, '');
  for (const t of file.assertionResults) {
    const ok = t.status === 'passed';
    if (ok) passed++;
    else if (t.status === 'failed') failed++;
    lines.push(`- **${t.status.toUpperCase()}** ${t.fullName} (${Math.round(t.duration ?? 0)} ms)`);
    for (const m of t.failureMessages) lines.push(`  - ${m.split('\n')[0]}`);
  }
  lines.push('');
}
lines.push('## Frames', '');
const byScenario = new Map<string, Exchange[]>();
for (const e of exchanges) byScenario.set(e.scenario, [...(byScenario.get(e.scenario) ?? []), e]);
for (const [scenario, list] of byScenario) {
  lines.push(`### ${scenario}`, '');
  for (const e of list) {
    lines.push(`- ${e.label || 'frame'}: in on port ${e.sent.port}, ${e.received.length} out`);
    lines.push(`    - in (port ${e.sent.port}):`, describeFrame(e.sent.bytes));
    for (const r of e.received) lines.push(`    - out (port ${r.port}):`, describeFrame(r.bytes));
  }
  lines.push('');
}
lines.splice(4, 0, `**${passed} passed, ${failed} failed**; pcaps of every scenario are in \`pcap/\`.`, '');
writeFileSync(join(outDir, 'report.md'), `${lines.join('\n')}\n`);
console.log(
  `\nvalidate: ${target}: ${passed} passed, ${failed} failed; report in ${join(outDir, 'report.md')}`,
);
process.exit(run.status ?? 1);
