/**
 * IP address parsing and CIDR ranges, following event-ruler's CIDR.java:
 * a string is an IP candidate only if it looks like dotted-quad IPv4 or
 * colon-hex IPv6; candidates are then parsed strictly (no leading zeros in IPv4
 * octets, 1-4 hex digits per IPv6 group, at most one `::`). Addresses are
 * represented as fixed-width upper-case hex strings (8 digits for IPv4, 32 for
 * IPv6), so that a plain string comparison orders them numerically.
 */

const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** Whether event-ruler would treat this string as an IP literal candidate. */
export function looksLikeIp(s: string): boolean {
  return IPV4_SHAPE.test(s) || IPV6_SHAPE.test(s);
}

function hex2(n: number): string {
  return (n < 16 ? '0' : '') + n.toString(16).toUpperCase();
}

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  const bytes: number[] = [];
  for (const p of parts) {
    if (p.length > 1 && p[0] === '0') {
      return undefined; // ambiguous (octal-looking) literal, rejected by current JDKs
    }
    if (p.length > 3) {
      return undefined;
    }
    const n = parseInt(p, 10);
    if (n > 255) {
      return undefined;
    }
    bytes.push(n);
  }
  return bytes;
}

function parseIpv6(s: string): number[] | undefined {
  const dbl = s.indexOf('::');
  if (dbl !== -1 && s.indexOf('::', dbl + 1) !== -1) {
    return undefined;
  }
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') {
      return [];
    }
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.length < 1 || g.length > 4) {
        return undefined;
      }
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl === -1) {
    const g = groupsOf(s);
    if (!g || g.length !== 8) {
      return undefined;
    }
    groups = g;
  } else {
    const head = groupsOf(s.slice(0, dbl));
    const tail = groupsOf(s.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) {
      return undefined;
    }
    groups = [...head, ...new Array(8 - head.length - tail.length).fill(0), ...tail];
  }
  const bytes: number[] = [];
  for (const g of groups) {
    bytes.push(Math.floor(g / 256), g % 256);
  }
  // Java's InetAddress turns IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) into IPv4.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12);
  }
  return bytes;
}

/** The outcome of parsing an IP literal. */
type IpParse = { readonly bytes: number[] } | { readonly error: string };

/** Parses an IP literal with event-ruler's error wording. */
function parseIp(s: string): IpParse {
  if (!looksLikeIp(s)) {
    return { error: `Nonstandard IP address: ${s}` };
  }
  const bytes = s.includes(':') ? parseIpv6(s) : parseIpv4(s);
  if (!bytes) {
    return { error: `Invalid IP address: ${s}` };
  }
  return { bytes };
}

/** Two upper-case hex digits for each byte value. */
const HEX2 = Array.from({ length: 256 }, (_, n) => hex2(n));

/**
 * Hex form of a dotted-quad IPv4 literal (the rules of {@link parseIpv4});
 * undefined if it is not one, null if it is not even shaped like one.
 * One pass, no allocation but the result: this runs for event values.
 */
function ipv4ToHex(s: string): string | undefined | null {
  let out = '';
  let parts = 0;
  let i = 0;
  const n = s.length;
  while (parts < 4) {
    const start = i;
    let value = 0;
    let c = s.charCodeAt(i);
    while (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      c = s.charCodeAt(++i);
    }
    if (i === start) {
      return null;
    }
    parts++;
    if (parts < 4) {
      if (c !== 46) {
        return null;
      }
    } else if (i !== n) {
      return null;
    }
    if ((i - start > 1 && s.charCodeAt(start) === 48) || i - start > 3 || value > 255) {
      return undefined;
    }
    out += HEX2[value];
    i++;
  }
  return out;
}

/** Hex form of an IP literal, or undefined if the string is not one. */
export function ipToHex(s: string): string | undefined {
  if (s.length > 45) {
    return undefined;
  }
  const c = s.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const v4 = ipv4ToHex(s);
    if (v4 !== null) {
      return v4;
    }
  }
  if (!looksLikeIp(s)) {
    return undefined;
  }
  const p = parseIp(s);
  return 'bytes' in p ? p.bytes.map(hex2).join('') : undefined;
}

/** An inclusive range of addresses of one family. */
export interface IpRange {
  readonly bottom: string;
  readonly top: string;
}

/** The outcome of parsing a CIDR block. */
export type CidrParse = { readonly range: IpRange } | { readonly error: string };

/** Parses `address/bits` with event-ruler's checks and wording (CIDR.java). */
export function parseCidr(cidr: string): CidrParse {
  // Java's String.split drops trailing empty strings.
  const slashed = cidr.split('/');
  while (slashed.length > 0 && slashed[slashed.length - 1] === '') {
    slashed.pop();
  }
  if (slashed.length !== 2) {
    return { error: "Malformed CIDR, one '/' required" };
  }
  const bitsText = slashed[1];
  const bits = /^[+-]?[0-9]+$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!Number.isInteger(bits) || bits > 2147483647 || bits < -2147483648) {
    return { error: 'Malformed CIDR, mask bits must be an integer' };
  }
  if (bits < 0) {
    return { error: 'Malformed CIDR, mask bits must not be negative' };
  }
  const ip = parseIp(slashed[0]);
  if ('error' in ip) {
    return ip;
  }
  const bytes = ip.bytes;
  if (bytes.length === 4 && bits > 31) {
    return { error: 'IPv4 mask bits must be < 32' };
  }
  if (bytes.length === 16 && bits > 127) {
    return { error: 'IPv6 mask bits must be < 128' };
  }
  const bottom: number[] = [];
  const top: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8)); // network bits in this byte
    const block = 2 ** (8 - keep);
    const low = bytes[i] - (bytes[i] % block);
    bottom.push(low);
    top.push(low + block - 1);
  }
  return { range: { bottom: bottom.map(hex2).join(''), top: top.map(hex2).join('') } };
}

/** Whether a hex address lies inside a range of the same family. */
export function inRange(hex: string, range: IpRange): boolean {
  return hex.length === range.bottom.length && hex >= range.bottom && hex <= range.top;
}
