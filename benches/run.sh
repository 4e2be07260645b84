#!/bin/sh
# Runs Frontline's whole benchmark suite (issue 7) and prints the table of BENCHMARKS.md.
#
#   benches/run.sh [DATA_DIR] [suite options…]
#
# DATA_DIR (default /tmp/frontline-bench; keep it out of the repository) receives the
# generated data the first time (about 2 minutes, 1.5 GB): full.db (200k customers, 1M
# contacts, 2M notes, 20k articles), stress.db (100k articles), kb100k/ (the same 100k
# articles as Markdown files, for ripgrep and `import kb`), contacts.csv (1M contacts) and
# maildir/ (20,000 support emails).
# Suite options: --quick, --only first_frame,keystroke,sync_typing,kb20k,kb100k,queue,redraw,
# draft,html,report,import_contacts,import_kb,maildir,rss, --rss-seconds N (default 300; 3600
# for the one-hour run), --import-timeout N (default 600), --html-budget N (default 30: a
# hostile HTML size predicted to take longer is skipped).
set -eu
data="${1:-/tmp/frontline-bench}"
[ $# -gt 0 ] && shift
mkdir -p "$data"
cargo build --release --example generate --example minimal_frame
gen=target/release/examples/generate
[ -n "${CARGO_TARGET_DIR:-}" ] && gen="$CARGO_TARGET_DIR/release/examples/generate"
[ -f "$data/full.db" ] || "$gen" --out "$data/full.db" --tier full --seed 1
[ -f "$data/stress.db" ] || "$gen" --out "$data/stress.db" --tier stress --seed 1
[ -d "$data/kb100k" ] || "$gen" --tier stress --seed 1 --kb-files "$data/kb100k"
[ -f "$data/contacts.csv" ] || "$gen" --tier full --seed 1 --contacts-csv "$data/contacts.csv"
[ -d "$data/maildir" ] || "$gen" --tier full --seed 1 --maildir "$data/maildir"
command -v rg >/dev/null || echo "ripgrep not found (apt-get install -y ripgrep): its floor is skipped" >&2
exec cargo bench --bench suite -- --data "$data" "$@"
