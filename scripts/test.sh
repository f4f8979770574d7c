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

dotnet restore Runnel.slnx
dotnet build Runnel.slnx -c Release --no-restore

log="$(mktemp)"
set +e
dotnet test Runnel.slnx -c Release --no-build 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped (live provider tests without credentials)"
if [ "$passed" -eq 0 ] && [ "$status" -eq 0 ]; then
  echo "error: no tests ran" >&2
  exit 1
fi
exit "$status"
