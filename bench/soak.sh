#!/usr/bin/env bash
# relais — the mixed-load soak of issue 18: 200 connections for 3 minutes,
# each sending 8 reads (person search with a typo, person page) for 1
# intake; prints requests per second, p50, p99 and the slowest request,
# the intakes acknowledged against the rows found in the database
# afterwards (none may be lost), and the server's memory at the start, at
# the end and at its peak. Takes bench/run.sh's options (--size, --engine,
# --bin, --data, --in-place…); a later --duration or --connections wins.
#
#   bench/soak.sh --engine both --bin target/release/relais
exec "$(dirname "$0")/run.sh" --soak --duration 3m --connections 200 "$@"
