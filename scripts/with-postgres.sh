#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster on a free loopback port, runs the given
# command with TSUNAGU_TEST_DATABASE pointing at it, and removes the cluster.
# Usage: scripts/with-postgres.sh go test ./...
set -euo pipefail

find_bin() {
	local name=$1
	if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
	local c
	for c in /usr/lib/postgresql/*/bin/"$name"; do
		[ -x "$c" ] && { echo "$c"; return; }
	done
	echo "PostgreSQL's $name was not found: install PostgreSQL 15 server binaries (Debian: apt-get install postgresql)" >&2
	exit 1
}
INITDB=$(find_bin initdb)
PG_CTL=$(find_bin pg_ctl)

dir=$(mktemp -d /tmp/tsunagu-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))

# PostgreSQL refuses to run as root; CI runs as root.
as_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
	id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
	chown postgres "$dir"
	as_pg() { runuser -u postgres -- "$@"; }
fi

cleanup() {
	as_pg "$PG_CTL" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

as_pg "$INITDB" -D "$dir/data" -U tsunagu --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 1; }
as_pg "$PG_CTL" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null ||
	{ cat "$dir/server.log" >&2; exit 1; }

export TSUNAGU_TEST_DATABASE="postgres://tsunagu@127.0.0.1:$port/postgres?sslmode=disable"
echo "PostgreSQL $("$PG_CTL" --version | awk '{print $3}') listening on 127.0.0.1:$port" >&2
"$@"
