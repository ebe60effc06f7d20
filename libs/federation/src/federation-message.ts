/** A message between two nodes of the federation, as a handler receives it. */
export interface FederationMessage<P = Record<string, unknown>> {
  /** Unique per message; a redelivery carries the same id (the receiver's inbox ignores it). */
  id: string;
  type: string;
  /** The sender: `national` or a province code, as the transport established it (topic + credentials, or node token). */
  from: string;
  /** The receiver: `national` or this node's province. */
  to: string;
  /** The Kafka partition key: messages with one key arrive in the order they were sent. */
  key: string;
  sentAt: string;
  payload: P;
}

/**
 * The wire form: a JSON object whose text starts with `{"federation":1,` — so consumers sharing the
 * upward topics with the record sync tell the two apart from the first bytes, without parsing.
 */
export const WIRE_PREFIX = '{"federation":1,';

export function isFederationWire(value: Buffer | string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  const head =
    typeof value === 'string' ? value.slice(0, WIRE_PREFIX.length) : value.subarray(0, WIRE_PREFIX.length).toString();
  return head === WIRE_PREFIX;
}

/** Builds the wire text around a payload kept as JSON text (not parsed and re-serialised). */
export function toWire(m: Omit<FederationMessage, 'payload'>, payloadJson: string): string {
  return `${WIRE_PREFIX}${JSON.stringify({ id: m.id, type: m.type, from: m.from, to: m.to, key: m.key, sentAt: m.sentAt }).slice(1, -1)},"payload":${payloadJson}}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ADDRESS = /^(national|\d{2})$/;

/** Parses and checks the shape of a wire message; returns the reason when it is not one. */
export function parseWire(
  raw: Buffer | string | null,
): { ok: true; message: FederationMessage } | { ok: false; reason: string; id?: string } {
  if (!isFederationWire(raw)) return { ok: false, reason: 'not a federation message' };
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(String(raw)) as Record<string, unknown>;
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const id = typeof v.id === 'string' && UUID.test(v.id) ? v.id : undefined;
  if (!id) return { ok: false, reason: 'id: not a UUID' };
  if (typeof v.type !== 'string' || !/^[a-z][a-z0-9.-]{0,99}$/.test(v.type))
    return { ok: false, reason: 'type: not a message type', id };
  if (typeof v.from !== 'string' || !ADDRESS.test(v.from)) return { ok: false, reason: 'from: not an address', id };
  if (typeof v.to !== 'string' || !ADDRESS.test(v.to)) return { ok: false, reason: 'to: not an address', id };
  if (typeof v.key !== 'string' || v.key.length > 200) return { ok: false, reason: 'key: not a key', id };
  if (typeof v.payload !== 'object' || v.payload === null || Array.isArray(v.payload))
    return { ok: false, reason: 'payload: not an object', id };
  return {
    ok: true,
    message: {
      id,
      type: v.type,
      from: v.from,
      to: v.to,
      key: v.key,
      sentAt: typeof v.sentAt === 'string' ? v.sentAt : '',
      payload: v.payload as Record<string, unknown>,
    },
  };
}
