/**
 * npm run live [-- --keep] [--stack NAME] [--alert-for DURATION] [--rate N]
 *
 * Starts the live stack (live/stack.ts) on 127.0.0.1, waits until every target is up and prints
 * the URLs. Without --keep it then stops everything (a quick smoke test of the rendered stack);
 * with --keep it keeps running, printing each notification Alertmanager sends, until Ctrl-C.
 */
import { ObservatoryError } from '../catalog/errors';
import { isDuration } from '../catalog/duration';
import { parseCommand, runCli, type CommandSpec, type FlagSpec } from '../cli/run';
import { FAULTS_PATH } from './demoApp';
import { done, notYet, pollUntil } from './poll';
import { startLiveStack, type LiveStack } from './stack';
import { alertNamesIn } from './webhookReceiver';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function waitForTargets(stack: LiveStack): Promise<void> {
  await pollUntil(
    'every target up',
    async () => {
      const down = (await stack.prom.targets()).filter((t) => t.health !== 'up');
      return down.length === 0 ? done(true) : notYet(down.map((t) => `${t.scrapePool} ${t.scrapeUrl} ${t.health} ${t.lastError}`).join('; '));
    },
    { timeoutMs: 60_000 },
  );
}

function followNotifications(stack: LiveStack): void {
  const alertNames = stack.rendered.ruleGroups.flatMap((g) => g.rules.map((r) => r.alert).filter((a): a is string => a !== undefined));
  let seen = 0;
  setInterval(() => {
    const all = stack.receiver.notifications;
    for (; seen < all.length; seen++) {
      const n = all[seen];
      out(`notification: ${n.integration} of receiver "${n.receiver}": ${alertNamesIn(n, alertNames).join(', ') || '(no known alert name)'}`);
    }
  }, 1000);
}

export const LIVE_COMMAND = {
  name: 'live',
  summary:
    'Starts the live stack on 127.0.0.1 (real Prometheus, Alertmanager, exporters, PostgreSQL, Redis and demo apps, with the rendered rules and routing), waits until every target is up and prints the URLs. Without --keep it then stops everything; with --keep it runs until Ctrl-C, printing each notification. Ctrl-C stops every process and removes the run directory.',
  flags: {
    keep: { type: 'boolean', default: false, help: 'keep the stack running until Ctrl-C' },
    stack: { type: 'string', default: 'dev', value: 'NAME', help: 'the stack file to run (Pulumi.<NAME>.yaml)' },
    'alert-for': { type: 'string', default: '30s', value: 'DURATION', help: "every alert's `for`, shortened so alerts fire within a run" },
    rate: { type: 'string', default: '40', value: 'N', help: 'demo traffic in requests per second (1..500)' },
  },
} as const satisfies CommandSpec<Record<string, FlagSpec>>;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseCommand(LIVE_COMMAND, argv);
  if (!isDuration(values['alert-for'])) throw new ObservatoryError('--alert-for', `"${values['alert-for']}" is not a Prometheus duration`);
  const rate = Number(values.rate);
  if (!(rate > 0 && rate <= 500)) throw new ObservatoryError('--rate', `"${values.rate}" must be a number of requests per second in 1..500`);

  const stack = await startLiveStack({ stack: values.stack, alertFor: values['alert-for'], ratePerSecond: rate, log: out });
  try {
    await waitForTargets(stack);
  } catch (e) {
    await stack.stop({ keepFiles: true });
    throw e;
  }
  out('');
  out(`every target is up; run directory ${stack.dir} (logs in ${stack.dir}/logs)`);
  for (const [name, url] of Object.entries(stack.urls)) out(`  ${name.padEnd(18)} ${url}`);
  if (!values.keep) {
    const stats = await stack.stop();
    out(`stopped; traffic sent ${stats?.requests ?? 0} requests. Use --keep to keep the stack running.`);
    return 0;
  }
  const app = stack.apps[0];
  out('');
  out('Inject faults into every replica, e.g. 30% errors and 20% of requests 1.5 s slow:');
  out(`  curl -X POST ${app.url}${FAULTS_PATH} -d '{"errorRatio":0.3,"slowRatio":0.2,"slowSeconds":1.5}'`);
  out(`  (each replica has its own: ${stack.apps.map((a) => a.url).join(', ')}; send {} to clear)`);
  out('Ctrl-C stops everything and removes the run directory.');
  followNotifications(stack);
  await new Promise<never>(() => undefined); // until Ctrl-C: the interrupt handler stops the stack
  return 0;
}

if (require.main === module) {
  void runCli('live', () => main(process.argv.slice(2)));
}
