import { readFileSync } from 'node:fs';
import type { NodeConfig } from '@tmis/server';
import type { KafkaConnection } from '@tmis/sync-transport';

/** The federation's Kafka connection from the configuration (undefined without KAFKA_BROKERS). */
export function kafkaConnection(c: NodeConfig): KafkaConnection | undefined {
  const brokers = c.KAFKA_BROKERS?.split(',').map((b) => b.trim());
  if (!brokers?.length) return undefined;
  return {
    brokers,
    ssl: c.KAFKA_SSL ? { ca: c.KAFKA_SSL_CA_FILE ? readFileSync(c.KAFKA_SSL_CA_FILE, 'utf8') : undefined } : false,
    sasl:
      c.KAFKA_SASL_MECHANISM && c.KAFKA_SASL_USERNAME && c.KAFKA_SASL_PASSWORD
        ? { mechanism: c.KAFKA_SASL_MECHANISM, username: c.KAFKA_SASL_USERNAME, password: c.KAFKA_SASL_PASSWORD }
        : undefined,
  };
}
