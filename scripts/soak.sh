#!/usr/bin/env bash
# The cluster fault soak: the CI slice's fault tests, longer and with more seeds.
# RUNS seeds per in-process test (default 40) of SECS seconds each (default 30),
# and KILLS leader SIGKILLs in the multi-process test (default 200).
# A failure prints its seed; replay one with MAILGATE_SEED=<seed> MAILGATE_RUNS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
MAILGATE_RUNS="${RUNS:-40}" MAILGATE_SOAK_SECS="${SECS:-30}" \
  cargo test -p mailgate-tests --test fault_inproc -- --nocapture --test-threads 1
MAILGATE_KILLS="${KILLS:-200}" \
  cargo test -p mailgate-tests --test fault_procs -- --nocapture
