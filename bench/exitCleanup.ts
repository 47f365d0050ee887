/**
 * Folders removed when the bench process ends, however it ends short of SIGKILL: normal exit,
 * an error, or SIGINT/SIGTERM (which exit with 130/143 so the 'exit' handlers run). The backfill's
 * scratch folder in /dev/shm is memory until reboot; it must never outlive the run.
 */
import * as fs from 'node:fs';

const folders = new Set<string>();
let installed = false;

export function removeOnExit(dir: string): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const d of folders) fs.rmSync(d, { recursive: true, force: true });
    });
    process.on('SIGINT', () => process.exit(130));
    process.on('SIGTERM', () => process.exit(143));
  }
  folders.add(dir);
  return () => folders.delete(dir);
}
