#!/usr/bin/env bash
# Back up CIMoLT: the PostgreSQL database and, when MEDIA_ROOT is set, the uploaded evidence and
# PDF reports kept there. docs/operations.md ("Backups") says how often and what to keep.
#
#   DATABASE_URL=postgres://cimolt:secret@127.0.0.1:5432/cimolt \
#   MEDIA_ROOT=/srv/cimolt/media \
#   scripts/backup.sh [DIRECTORY]                # default: $BACKUP_DIR, else ./backups
#
# Writes, in DIRECTORY (created private: the backups hold every municipality's answers):
#   cimolt-<database>-<UTC time>.dump         pg_dump's custom format (compressed; pg_restore
#                                             restores it whole or table by table)
#   cimolt-media-<UTC time>.tar.gz            MEDIA_ROOT, when it is set
#   <each file>.sha256                        its checksum, which restore.sh checks
# A file is written under a temporary name and gets its final name only once it is complete and
# (for the dump) pg_restore has read it back, so a file with a final name is a whole backup.
#
# KEEP_DAYS=N also removes this directory's backups older than N days. PG_BINDIR picks the
# PostgreSQL client programs (pg_dump must be at least the server's version). pg_dump reads one
# consistent snapshot, so the service may keep running meanwhile.
set -euo pipefail

: "${DATABASE_URL:?set DATABASE_URL, e.g. postgres://user:password@host:5432/cimolt}"
bin=${PG_BINDIR:+$PG_BINDIR/}
dir=${1:-${BACKUP_DIR:-backups}}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
database=${DATABASE_URL##*/}
database=${database%%\?*}

umask 077
mkdir -p "$dir"

dump="$dir/cimolt-$database-$stamp.dump"
media="$dir/cimolt-media-$stamp.tar.gz"
trap 'rm -f -- "$dump.partial" "$media.partial"' EXIT  # a backup that failed leaves nothing
began=$SECONDS
"${bin}pg_dump" --format=custom --file="$dump.partial" --dbname="$DATABASE_URL"
entries=$("${bin}pg_restore" --list "$dump.partial" | grep -c ' TABLE DATA ' || true)
if [ "$entries" -eq 0 ]; then
  echo "backup: the dump of $database holds no table data; nothing kept" >&2
  exit 1
fi
mv "$dump.partial" "$dump"
(cd "$dir" && sha256sum "$(basename "$dump")" >"$(basename "$dump").sha256")
echo "backup: $dump ($(du -h "$dump" | cut -f1), $entries tables, $((SECONDS - began)) s)"

if [ -n "${MEDIA_ROOT:-}" ]; then
  tar -czf "$media.partial" -C "$MEDIA_ROOT" .
  mv "$media.partial" "$media"
  (cd "$dir" && sha256sum "$(basename "$media")" >"$(basename "$media").sha256")
  echo "backup: $media ($(du -h "$media" | cut -f1), $(tar -tzf "$media" | grep -vc '/$') files)"
fi

if [ -n "${KEEP_DAYS:-}" ]; then
  find "$dir" -maxdepth 1 -type f -name 'cimolt-*' -mtime "+$KEEP_DAYS" -print -delete |
    sed 's/^/backup: removed (older than '"$KEEP_DAYS"' days) /'
fi
