/**
 * Prints the one closing line CI reads ("tests: N passed, N failed") from vitest's JSON reports,
 * summed over every suite scripts/test.sh ran.
 */
import * as fs from 'node:fs';

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests?: number;
  /** Files whose hooks or imports failed: none of their tests counts as failed, but the run did. */
  numFailedTestSuites?: number;
}

let passed = 0;
let failed = 0;
let skipped = 0;
let failedSuites = 0;
for (const file of process.argv.slice(2)) {
  if (!fs.existsSync(file)) {
    console.error(`test summary: ${file} missing (that suite did not finish)`);
    failed++;
    continue;
  }
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as VitestJson;
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests ?? 0;
  failedSuites += r.numFailedTestSuites ?? 0;
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}${failedSuites > 0 && failed === 0 ? `, ${failedSuites} suite(s) failed outside a test (a hook or an import)` : ''}`);
process.exitCode = failed > 0 || failedSuites > 0 || passed === 0 ? 1 : 0;
