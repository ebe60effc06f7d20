export const NODE_INFO = Symbol('NODE_INFO');

export interface NodeInfo {
  kind: 'national' | 'provincial';
  /** Two-digit province prefix on a provincial node. */
  provinceCode?: string;
  version: string;
  embeddedDatabase: boolean;
  /** METRICS_TOKEN: a bearer token that unlocks /metrics and the /health details. */
  metricsToken?: string;
  /** The level of the node's top unit (1 the ministry, 2 a province): whose system administrator operates it. */
  topUnitLevel: number;
}

/**
 * Microservice servers (options for `app.connectMicroservice`) a module asks the node to run beside
 * its HTTP server, e.g. the federation's Kafka consumer; provided as an array (empty: none).
 */
export const NODE_MICROSERVICES = Symbol('NODE_MICROSERVICES');
