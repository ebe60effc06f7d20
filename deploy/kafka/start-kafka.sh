#!/usr/bin/env bash
# Starts a single-node KRaft Apache Kafka broker from the official Maven Central artifacts
# (org.apache.kafka:kafka_2.13 4.x; needs Java 17 and Maven). Data and jars live under .kafka/.
# Prints the bootstrap address (KAFKA_BROKERS) when the broker accepts connections. A second listener,
# SASL_PLAINTEXT on KAFKA_PORT+2, authenticates the dev SCRAM users below under the broker's ACLs.
#   deploy/kafka/start-kafka.sh            # 127.0.0.1:19092
#   KAFKA_PORT=29092 deploy/kafka/start-kafka.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
home="${KAFKA_HOME_DIR:-$root/.kafka}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
CONTROLLER_PORT="${CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
# The SASL/SCRAM listener (per-province users under ACLs): the port after the controller's.
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-$((KAFKA_PORT + 2))}"
KAFKA_DATA="$home/data-$KAFKA_PORT"
export KAFKA_PORT CONTROLLER_PORT KAFKA_SASL_PORT KAFKA_DATA
# DEV-ONLY SCRAM-SHA-512 users of the local broker (user:password): the national node and provinces 11 and 44.
# Production creates one user per province with its own secret (README.md).
DEV_USERS="tmis-national:dev-national-password tmis-province-11:dev-province-11-password tmis-province-44:dev-province-44-password"
mkdir -p "$home"
if (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; then
  echo "[kafka] port $KAFKA_PORT is already in use (a broker still running or shutting down?); not starting" >&2
  exit 1
fi
if [ ! -f "$home/libs/.complete" ]; then
  echo "[kafka] fetching broker jars from Maven Central into $home/libs" >&2
  mvn -q -B -Dstyle.color=never -f "$here/pom.xml" dependency:copy-dependencies -DoutputDirectory="$home/libs" -DincludeScope=runtime >&2
  touch "$home/libs/.complete"
fi
conf="$home/server-$KAFKA_PORT.properties"
envsubst < "$here/server.properties" > "$conf" 2>/dev/null || sed -e "s#\${KAFKA_PORT}#$KAFKA_PORT#g; s#\${CONTROLLER_PORT}#$CONTROLLER_PORT#g; s#\${KAFKA_SASL_PORT}#$KAFKA_SASL_PORT#g; s#\${KAFKA_DATA}#$KAFKA_DATA#g" "$here/server.properties" > "$conf"
java_opts=(-Xms256m -Xmx512m "-Dlog4j2.configurationFile=$here/log4j2.properties")
if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
  id="$(java "${java_opts[@]}" -cp "$home/libs/*" kafka.tools.StorageTool random-uuid | tail -1)"
  scram=()
  for u in $DEV_USERS; do
    scram+=(--add-scram "SCRAM-SHA-512=[name=${u%%:*},password=${u#*:}]")
  done
  java "${java_opts[@]}" -cp "$home/libs/*" kafka.tools.StorageTool format -t "$id" -c "$conf" "${scram[@]}" >&2
  touch "$KAFKA_DATA/.tmis-scram-users"
fi
nohup java "${java_opts[@]}" -cp "$home/libs/*" kafka.Kafka "$conf" > "$home/broker-$KAFKA_PORT.log" 2>&1 &
echo $! > "$home/broker-$KAFKA_PORT.pid"
for _ in $(seq 1 120); do
  # The port must be this broker's: one still shutting down (or another process) holding it is an error.
  if ! kill -0 "$(cat "$home/broker-$KAFKA_PORT.pid")" 2>/dev/null; then
    echo "[kafka] the broker exited at start; see $home/broker-$KAFKA_PORT.log" >&2
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$KAFKA_PORT") 2>/dev/null; then
    # A log directory formatted before the SASL listener existed: add the dev users once, through the broker.
    if [ ! -f "$KAFKA_DATA/.tmis-scram-users" ]; then
      for u in $DEV_USERS; do
        java "${java_opts[@]}" -cp "$home/libs/*" kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" --alter \
          --add-config "SCRAM-SHA-512=[password=${u#*:}]" --entity-type users --entity-name "${u%%:*}" >&2 \
          || echo "[kafka] could not add the SCRAM user ${u%%:*}" >&2
      done
      touch "$KAFKA_DATA/.tmis-scram-users"
    fi
    echo "127.0.0.1:$KAFKA_PORT"
    exit 0
  fi
  sleep 1
done
echo "[kafka] broker did not open port $KAFKA_PORT; see $home/broker-$KAFKA_PORT.log" >&2
exit 1
