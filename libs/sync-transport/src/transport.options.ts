/** How a node reaches the federation's Kafka cluster (both roles). */
export interface KafkaConnection {
  brokers: string[];
  ssl?: { ca?: string } | false;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}
