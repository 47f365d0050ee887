/** `npm run live` flag handling: bad flags are one clear error naming the flag, before anything starts. */
import { describe, expect, it } from 'vitest';
import { ObservatoryError } from '../catalog/errors';
import { main } from '../live/cli';

async function errorOf(argv: string[]): Promise<ObservatoryError> {
  const e = await main(argv).then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof ObservatoryError)) throw new Error(`expected an ObservatoryError, got ${String(e)}`);
  return e;
}

describe('npm run live', () => {
  it('names a bad flag and its problem', async () => {
    expect((await errorOf(['--alert-for', 'soon'])).message).toBe('--alert-for: "soon" is not a Prometheus duration');
    expect((await errorOf(['--rate', '0'])).key).toBe('--rate');
    expect((await errorOf(['--keeep'])).key).toBe('--keeep');
  });

  it('refuses a stack it cannot run locally, before starting anything', async () => {
    expect((await errorOf(['--stack', 'prod'])).key).toBe('stack prod: observatory:target');
    expect((await errorOf(['--stack', 'nope'])).key).toBe('--stack');
  });
});
