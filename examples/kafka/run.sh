#!/usr/bin/env bash
# The Kafka example: load the 4,999 reviews into topic 'reviews' with INSERT INTO, then run two workers side by side
# that enrich them with the local sentiment model into topic 'rated', sharing the partitions as one consumer group.
#
#   bash examples/kafka/run.sh                        # on librdkafka's mock cluster, hosted by kcat
#   KAFKA_BOOTSTRAP=localhost:9092 bash examples/kafka/run.sh   # on your broker
#
# Needs librdkafka1 and kcat (apt-get install -y librdkafka1 kcat). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=examples/kafka/out
rm -rf "$out" && mkdir -p "$out"
catalog="$out/catalog.db"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

if [[ -z "${KAFKA_BOOTSTRAP:-}" ]]; then
  kcat -C -b dummy -X test.mock.num.brokers=3 -t hold -o end -q 2> "$out/mock.log" &
  pids+=($!)
  for _ in $(seq 100); do grep -q "replaced with" "$out/mock.log" 2>/dev/null && break; sleep 0.1; done
  KAFKA_BOOTSTRAP=$(grep -o "replaced with [0-9.:,]*" "$out/mock.log" | cut -d' ' -f3)
  echo "mock Kafka cluster: $KAFKA_BOOTSTRAP"
fi

dotnet build src/Runnel.Cli -c Release -v quiet -nologo > /dev/null
runnel=(dotnet src/Runnel.Cli/bin/Release/net10.0/runnel.dll)
echo "CREATE OR REPLACE CONNECTION brokers WITH ('type' = 'kafka', 'endpoint' = '$KAFKA_BOOTSTRAP');" > "$out/connection.sql"
"${runnel[@]}" run "$out/connection.sql" --catalog "$catalog" > /dev/null
"${runnel[@]}" run examples/kafka/setup.sql --catalog "$catalog" | grep -E "rows written|ERROR" || true

for w in 1 2; do
  "${runnel[@]}" run examples/kafka/enrich.sql --catalog "$catalog" > "$out/worker$w.log" 2>&1 &
  pids+=($!)
  echo "worker $w: pid ${pids[-1]}, log $out/worker$w.log"
done

# Wait until every review is in 'rated' (distinct keys), then stop both workers gracefully (SIGTERM).
for _ in $(seq 180); do
  n=$(kcat -C -b "$KAFKA_BOOTSTRAP" -t rated -o beginning -e -q -f '%k\n' 2>/dev/null | sort -u | wc -l)
  [[ "$n" -ge 4999 ]] && break
  sleep 1
done
echo "rated reviews (distinct ids): $n of 4999"
for w in 1 2; do kill -TERM "${pids[-$w]}"; done
wait "${pids[-1]}" "${pids[-2]}" || true
for w in 1 2; do echo "worker $w: $(tr '\r' '\n' < "$out/worker$w.log" | grep -E '^\[INFO\] Job [0-9a-f]{32}' | tail -1)"; done
kcat -C -b "$KAFKA_BOOTSTRAP" -t rated -o beginning -e -q -f '%s\n' 2>/dev/null | grep -o '"sentiment":"[A-Z]*"' | sort | uniq -c
