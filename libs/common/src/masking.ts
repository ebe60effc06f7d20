/** Masks an ID document number: keeps the first 3 and last 4 characters. */
export function maskIdNumber(value: string | null | undefined): string | null {
  if (value == null) return null;
  if (value.length <= 7) return '*'.repeat(value.length);
  return value.slice(0, 3) + '*'.repeat(value.length - 7) + value.slice(-4);
}

/** Masks a phone number: keeps the first 3 and last 4 digits. */
export function maskPhone(value: string | null | undefined): string | null {
  if (value == null) return null;
  if (value.length <= 7) return '*'.repeat(value.length);
  return value.slice(0, 3) + '*'.repeat(value.length - 7) + value.slice(-4);
}

const SECRET_KEYS = /pass(word)?|secret|token|authorization|cookie|id_?number|idnumber|phone|mobile|email|fingerprint/i;
const ID_NUMBER_IN_TEXT = /(?<![0-9])([1-9][0-9]{5})(1[89]|20)[0-9]{9}[0-9Xx](?![0-9])/g;

/** Removes secrets and personal data from anything about to be logged. */
export function redact(value: unknown, depth = 0): unknown {
  if (value == null || depth > 6) return value;
  if (typeof value === 'string') return value.replace(ID_NUMBER_IN_TEXT, '$1********[redacted]');
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error)
    return { name: value.name, message: redact(value.message, depth + 1), stack: redact(value.stack, depth + 1) };
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}
