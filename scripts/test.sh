#!/usr/bin/env bash
# Installs what the tests need and runs every test (README command 2; .ci/run calls exactly this).
# Needs the .NET 10 SDK (dotnet on PATH); NuGet packages are restored from the configured feed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET 10 SDK is required (dotnet was not found on PATH)" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The Kafka connector's native library (Debian's librdkafka1), kcat, which hosts librdkafka's mock cluster for the
# Kafka tests, and PostgreSQL, which the shared-catalog tests start privately (initdb + pg_ctl on a free port).
# Installed with apt-get when missing (as root, or through sudo).
if ! ldconfig -p 2>/dev/null | grep -q 'librdkafka.so.1' || ! command -v kcat >/dev/null 2>&1 \
   || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v runuser >/dev/null 2>&1; then
  apt=(apt-get)
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then apt=(sudo apt-get); else
      echo "error: librdkafka1, kcat and postgresql are needed: run 'apt-get install -y librdkafka1 kcat postgresql' as root" >&2
      exit 1
    fi
  fi
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y -qq librdkafka1 kcat postgresql util-linux >/dev/null
fi

dotnet restore Runnel.slnx
dotnet build Runnel.slnx -c Release --no-restore

log="$(mktemp)"
set +e
# One test project at a time (-m:1): the Kafka worker tests measure stalls and restart times, which other test
# projects running beside them on a small machine would distort.
dotnet test Runnel.slnx -c Release --no-build -m:1 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped (live tests without credentials or RUNNEL_KAFKA_BOOTSTRAP)"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "error: no tests ran" >&2
  exit 1
fi
exit "$status"
