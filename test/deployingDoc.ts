/**
 * The `pulumi import` commands docs/deploying.md gives for adopting an existing namespace, read
 * back the way a shell would run them, so the Pulumi mock tests can hold them against the URNs,
 * types and names the program registers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO } from './helpers';

export interface ImportFileResource {
  readonly type: string;
  readonly name: string;
  readonly id?: string;
  readonly parent?: string;
  readonly component?: boolean;
}

export interface DocumentedImports {
  /** The import.json the doc writes (`$NS` left as written). */
  readonly file: { readonly resources: readonly ImportFileResource[] };
  /** The one-line `pulumi import <type> <name> <id> --parent name=<urn>` form, the URN for `stack`. */
  readonly byUrn: { readonly type: string; readonly name: string; readonly id: string; readonly parentName: string; readonly parentUrn: string };
}

export function documentedImports(stack: string): DocumentedImports {
  const doc = fs.readFileSync(path.join(REPO, 'docs', 'deploying.md'), 'utf8').replace(/\\\n\s*/g, '');
  const heredoc = /cat > import\.json <<EOF\n([\s\S]*?)\nEOF\n/.exec(doc);
  if (!heredoc) throw new Error('docs/deploying.md: no `cat > import.json <<EOF` block');
  const file = JSON.parse(heredoc[1]) as DocumentedImports['file'];
  const line = /pulumi import (\S+) (\S+) ("\$NS"|\S+) [^\n]*--parent "([^=]+)=([^"]+)"/.exec(doc);
  if (!line) throw new Error('docs/deploying.md: no `pulumi import <type> <name> <id> ... --parent "<name>=<urn>"` line');
  const parentUrn = line[5].replace('$(pulumi stack --show-name)', stack);
  return { file, byUrn: { type: line[1], name: line[2], id: line[3], parentName: line[4], parentUrn } };
}
