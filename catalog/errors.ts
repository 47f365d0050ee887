/**
 * The one error type bad input produces. The CLI prints `message` alone (no stack trace); `key`
 * names what was wrong (a catalog entry, a config key, a flag) so tests can assert on it.
 */
export class ObservatoryError extends Error {
  constructor(
    readonly key: string,
    readonly problem: string,
  ) {
    super(`${key}: ${problem}`);
    this.name = 'ObservatoryError';
  }
}
