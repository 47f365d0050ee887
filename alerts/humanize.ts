/**
 * The value formatting of Prometheus's alert templates (`humanize`, `humanizeDuration`,
 * `humanizePercentage`, Go's `%.4g`), reproduced so that annotation text can be written in one
 * place: alert descriptions show thresholds formatted exactly like the live `$value`, and the
 * promtool unit tests know the annotation text Prometheus will produce. promtool is the oracle:
 * a difference here fails `promtool test rules`.
 */

/** Go's strconv 'g' formatting with `precision` significant digits (fmt `%.<precision>g`). */
export function goG(value: number, precision = 4): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const negative = value < 0;
  const { digits, exponent } = roundHalfEven(Math.abs(value), precision);
  // Go switches to exponent notation when exp < -4 || exp >= precision.
  let text: string;
  if (exponent < -4 || exponent >= precision) {
    const mantissa = stripZeros(digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits);
    text = `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  } else if (exponent < 0) {
    text = stripZeros(`0.${'0'.repeat(-exponent - 1)}${digits}`);
  } else {
    const intPart = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const frac = digits.slice(exponent + 1);
    text = frac ? stripZeros(`${intPart}.${frac}`) : intPart;
  }
  return negative ? `-${text}` : text;
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/**
 * The first `precision` significant decimal digits of a positive double, rounded like Go: to
 * nearest, ties (exact binary halves such as 0.15625) to even. 40 digits expose every double's
 * distance from a tie, since a double carries at most 17 significant digits of information.
 */
function roundHalfEven(v: number, precision: number): { digits: string; exponent: number } {
  const [mant, expText] = v.toExponential(40).split('e');
  let exponent = Number(expText);
  const all = mant.replace('.', '');
  let head = all.slice(0, precision);
  const rest = all.slice(precision);
  const roundUp = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(head[head.length - 1]) % 2 === 1));
  if (roundUp) {
    const bumped = (BigInt(head) + 1n).toString();
    if (bumped.length > head.length) {
      exponent += 1;
      head = bumped.slice(0, precision);
    } else {
      head = bumped;
    }
  }
  return { digits: head, exponent };
}

const SMALL_PREFIXES = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const LARGE_PREFIXES = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];

/** `humanize`: 4 significant digits with an SI prefix (1234 -> "1.234k", 0.0125 -> "12.5m"). */
export function humanize(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return goG(value);
  let v = value;
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of LARGE_PREFIXES) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of SMALL_PREFIXES) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${goG(v)}${prefix}`;
}

/** `humanizeDuration` of seconds (0.25 -> "250ms", 90 -> "1m 30s", 3.5 -> "3.5s"). */
export function humanizeDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return goG(seconds);
  if (seconds === 0) return `${goG(seconds)}s`;
  let v = seconds;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const whole = Math.trunc(v);
    const s = whole % 60;
    const m = Math.trunc(whole / 60) % 60;
    const h = Math.trunc(whole / 3600) % 24;
    const d = Math.trunc(whole / 86400);
    if (d !== 0) return `${sign}${d}d ${h}h ${m}m ${s}s`;
    if (h !== 0) return `${sign}${h}h ${m}m ${s}s`;
    if (m !== 0) return `${sign}${m}m ${s}s`;
    return `${sign}${goG(v)}s`;
  }
  let prefix = '';
  for (const p of SMALL_PREFIXES) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goG(v)}${prefix}s`;
}

/** `humanizePercentage` of a 0..1 ratio (0.0512 -> "5.12%"). */
export function humanizePercentage(ratio: number): string {
  return `${goG(ratio * 100)}%`;
}

/** Go's url.QueryEscape, which the `urlquery` template function applies: only A-Z a-z 0-9 - _ . ~ stay, space is "+". */
export function goQueryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
