// The test suite's time by vitest project (issue 12 item 8), for bench/RESULTS.md beside the
// benchmarks. Runs `vitest run --project <name>` once per project, one after the other (as
// `npm test` runs them, minus the build), and prints a Markdown table: files, tests, failures,
// wall time, the sum of the files' own durations, and the slowest files. Needs `npm run build`
// first (the cli and integration projects use dist/).
//
//   node bench/test-suite.mjs                  every project
//   node bench/test-suite.mjs node slow        the named projects only
//   node bench/test-suite.mjs --json out.json  also write the measurements as JSON
//                                              (bench/.tmp/test-suite.json is the file bench/RESULTS.md
//                                              reuses when `npm run bench` runs without --suite)
//
// Wall times on a shared machine also measure the other tenants: the load average before and
// after each project is printed beside it.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
/** The projects of vitest.config.ts, in the order `vitest run` reports them. */
export const PROJECTS = ['node', 'slow', 'chromium', 'cli', 'integration'];
/** Where `npm run bench -- --suite` saves its timings, and where the report looks for earlier ones. */
export const SUITE_JSON = join(ROOT, 'bench/.tmp/test-suite.json');

/**
 * @typedef {{ file: string, seconds: number, tests: number, failed: number }} FileTime
 * @typedef {{ project: string, wallSeconds: number, fileSeconds: number, files: number, tests: number,
 *   failed: number, exitCode: number | null, load: [number, number], slowest: FileTime[], failures?: string[] }} ProjectTime
 */

/**
 * Run one vitest project and time it.
 * @param {string} project a project name of vitest.config.ts
 * @returns {ProjectTime}
 */
export function timeProject(project) {
  const dir = mkdtempSync(join(tmpdir(), 'riskwasm-suite-'));
  const out = join(dir, 'report.json');
  const load0 = loadavg()[0];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [VITEST, 'run', '--project', project, '--reporter=json', `--outputFile=${out}`], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: process.env,
  });
  const wallSeconds = (performance.now() - t0) / 1e3;
  const load1 = loadavg()[0];
  /** @type {{ testResults?: { name: string, startTime: number, endTime: number, assertionResults: { status: string, fullName?: string }[] }[], numTotalTests?: number, numFailedTests?: number }} */
  let report = {};
  try {
    report = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    // no report: vitest failed before running anything; the exit code says so
  }
  rmSync(dir, { recursive: true, force: true });
  const files = (report.testResults ?? []).map((t) => ({
    file: t.name.startsWith(ROOT) ? t.name.slice(ROOT.length) : t.name,
    seconds: (t.endTime - t.startTime) / 1e3,
    tests: t.assertionResults.length,
    failed: t.assertionResults.filter((a) => a.status === 'failed').length,
  }));
  files.sort((a, b) => b.seconds - a.seconds);
  // Which tests failed, so a failure seen only under the benchmark's load can be named and chased.
  const failures = (report.testResults ?? []).flatMap((t) => t.assertionResults
    .filter((a) => a.status === 'failed')
    .map((a) => `${t.name.startsWith(ROOT) ? t.name.slice(ROOT.length) : t.name} > ${a.fullName ?? '?'}`));
  return {
    project, wallSeconds, fileSeconds: files.reduce((s, f) => s + f.seconds, 0), files: files.length,
    tests: report.numTotalTests ?? 0, failed: report.numFailedTests ?? 0, exitCode: r.status,
    load: [load0, load1], slowest: files.slice(0, 5), failures,
  };
}

/**
 * @typedef {{ node: string, cores: number, date: string, commit?: string, rows: ProjectTime[] }} SuiteTimes
 */

/** The package commit (short hash), or 'unknown'. */
export function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/**
 * Timings saved by an earlier run (`--json` file), or null when there is none or it does not parse.
 * @param {string} [path] default bench/.tmp/test-suite.json
 * @returns {SuiteTimes | null}
 */
export function readSuiteTimes(path = SUITE_JSON) {
  if (!existsSync(path)) return null;
  try {
    const r = JSON.parse(readFileSync(path, 'utf8'));
    return Array.isArray(r?.rows) ? r : null;
  } catch {
    return null;
  }
}

/**
 * The Markdown table of a set of project timings.
 * @param {ProjectTime[]} rows
 * @returns {string}
 */
export function suiteTable(rows) {
  const f1 = (x) => x.toFixed(1);
  const lines = [
    '| project | files | tests | failed | wall s | sum of file durations s | load before / after | slowest files (s) |',
    '|---|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const r of rows) {
    const slowest = r.slowest.slice(0, 3).map((f) => `${f.file.replace(/^test\//, '')} ${f1(f.seconds)}`).join(', ');
    lines.push(`| ${r.project} | ${r.files} | ${r.tests} | ${r.failed} | ${f1(r.wallSeconds)} | ${f1(r.fileSeconds)} | ${r.load.map(f1).join(' / ')} | ${slowest} |`);
  }
  const wall = rows.reduce((s, r) => s + r.wallSeconds, 0);
  lines.push(`| **total** | ${rows.reduce((s, r) => s + r.files, 0)} | ${rows.reduce((s, r) => s + r.tests, 0)} | ${rows.reduce((s, r) => s + r.failed, 0)} | ${f1(wall)} | ${f1(rows.reduce((s, r) => s + r.fileSeconds, 0))} | | |`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--json');
  const jsonOut = at >= 0 ? args.splice(at, 2)[1] : undefined;
  const projects = args.length > 0 ? args : PROJECTS;
  for (const p of projects) if (!PROJECTS.includes(p)) throw new Error(`unknown project ${p} (one of ${PROJECTS.join(', ')})`);
  console.log(`test suite by project: node ${process.version}, ${cpus().length} cores, ${new Date().toISOString()}`);
  /** @type {ProjectTime[]} */
  const rows = [];
  for (const p of projects) {
    const r = timeProject(p);
    console.log(`${p}: ${r.files} files, ${r.tests} tests, ${r.failed} failed, ${r.wallSeconds.toFixed(1)} s (exit ${r.exitCode})`);
    for (const f of r.failures ?? []) console.log(`  failed: ${f}`);
    rows.push(r);
  }
  console.log(`\n${suiteTable(rows)}`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ node: process.version, cores: cpus().length, date: new Date().toISOString(), commit: gitCommit(), rows }, null, 2));
  process.exitCode = rows.some((r) => r.exitCode !== 0) ? 1 : 0;
}
