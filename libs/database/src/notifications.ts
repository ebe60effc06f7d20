import pg from 'pg';

export interface ChannelListener {
  /** Whether the listening connection is up (notifications are being received). */
  readonly connected: boolean;
  close(): Promise<void>;
}

export interface ChannelHandlers {
  /** A notification arrived (after the notifying transaction committed). */
  onNotify(payload: string | undefined): void;
  /** The connection is listening (first time or after a reconnect): changes while it was down were missed. */
  onUp?(): void;
  /** The connection is lost: from now until `onUp`, notifications are missed. */
  onDown?(error?: Error): void;
}

/**
 * LISTENs on `channel` on a connection of its own (not the pool's), reconnecting every
 * `retryMs` after a loss. PostgreSQL delivers a NOTIFY when the transaction that sent it commits,
 * whichever process or path made the change.
 */
export function listenToChannel(
  url: string,
  channel: string,
  handlers: ChannelHandlers,
  retryMs = 1000,
): ChannelListener {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  let client: pg.Client | null = null;
  let connected = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;
  const down = (e?: Error) => {
    const was = connected;
    connected = false;
    client?.removeAllListeners();
    client?.on('error', () => undefined);
    client?.end().catch(() => undefined);
    client = null;
    if (was || e) handlers.onDown?.(e);
    if (!closed && !timer) {
      timer = setTimeout(() => {
        timer = null;
        void connect();
      }, retryMs);
      timer.unref();
    }
  };
  const connect = async () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url, application_name: 'tmis-listen' });
    client = c;
    c.on('error', (e) => down(e));
    c.on('end', () => {
      if (client === c) down();
    });
    c.on('notification', (n) => {
      if (n.channel === channel) handlers.onNotify(n.payload);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      if (closed || client !== c) return void c.end().catch(() => undefined);
      connected = true;
      handlers.onUp?.();
    } catch (e) {
      if (client === c) down(e as Error);
    }
  };
  void connect();
  return {
    get connected() {
      return connected;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      connected = false;
      const c = client;
      client = null;
      c?.removeAllListeners();
      c?.on('error', () => undefined);
      await c?.end().catch(() => undefined);
    },
  };
}
