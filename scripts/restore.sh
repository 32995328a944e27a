#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh. docs/operations.md ("Backups") has the whole
# procedure; restore into a new database first, check it, then point the service at it.
#
#   DATABASE_URL=postgres://cimolt:secret@127.0.0.1:5432/cimolt_restored \
#   MEDIA_ROOT=/srv/cimolt/media-restored \
#   scripts/restore.sh [--clean] BACKUP.dump [MEDIA.tar.gz]
#
# - Checks the files against their .sha256 (when beside them) and that pg_restore can read
#   the dump.
# - Restores into the database named in DATABASE_URL, creating it when it does not exist. A
#   database that already has tables is refused, unless --clean is given: then CIMoLT's
#   objects in it are dropped first (to replace a damaged database in place).
# - Restores in one transaction: if anything fails, the database is left as it was.
# - Objects belong to the user of DATABASE_URL (--no-owner --no-privileges), so a backup of
#   one server restores on another whose database user has another name.
# - Unpacks MEDIA.tar.gz into MEDIA_ROOT, which must be empty or missing.
# - Ends with ANALYZE and the row counts of the main tables.
#
# After restoring a backup older than the code that will run on it, run
# `python manage.py migrate` against it; `python manage.py check --database default` checks it.
set -euo pipefail

clean=
if [ "${1:-}" = "--clean" ]; then
  clean=yes
  shift
fi
dump=${1:?usage: scripts/restore.sh [--clean] BACKUP.dump [MEDIA.tar.gz]}
media=${2:-}
: "${DATABASE_URL:?set DATABASE_URL to the database to restore into}"
bin=${PG_BINDIR:+$PG_BINDIR/}

# The database's name, and the server's maintenance database to create it from.
database=${DATABASE_URL##*/}
query=
case "$database" in *\?*) query="?${database#*\?}" database=${database%%\?*} ;; esac
if ! [[ "$database" =~ ^[A-Za-z0-9_]+$ ]]; then
  echo "restore: the database name '$database' should be letters, digits and _ only" >&2
  exit 1
fi
maintenance="${DATABASE_URL%/*}/postgres$query"

for file in "$dump" ${media:+"$media"}; do
  [ -f "$file" ] || { echo "restore: $file does not exist" >&2; exit 1; }
  if [ -f "$file.sha256" ]; then
    (cd "$(dirname "$file")" && sha256sum --check --quiet "$(basename "$file").sha256") ||
      { echo "restore: $file does not match its checksum" >&2; exit 1; }
  fi
done
"${bin}pg_restore" --list "$dump" >/dev/null

if [ -n "$media" ]; then
  : "${MEDIA_ROOT:?set MEDIA_ROOT to unpack the media archive into}"
  if [ -d "$MEDIA_ROOT" ] && [ -n "$(ls -A "$MEDIA_ROOT")" ]; then
    echo "restore: MEDIA_ROOT $MEDIA_ROOT is not empty; empty it or choose another" >&2
    exit 1
  fi
fi

exists=$("${bin}psql" -X -At -d "$maintenance" -c "SELECT 1 FROM pg_database WHERE datname = '$database'")
if [ -z "$exists" ]; then
  "${bin}psql" -X -q -d "$maintenance" -c "CREATE DATABASE \"$database\""
  echo "restore: created database $database"
fi
tables=$("${bin}psql" -X -At -d "$DATABASE_URL" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" -gt 0 ] && [ -z "$clean" ]; then
  echo "restore: database $database already has $tables tables; restore into a new database, or pass --clean to replace them" >&2
  exit 1
fi

began=$SECONDS
"${bin}pg_restore" --dbname="$DATABASE_URL" --no-owner --no-privileges --exit-on-error \
  --single-transaction ${clean:+--clean --if-exists} "$dump"
"${bin}psql" -X -q -d "$DATABASE_URL" -c "ANALYZE"
echo "restore: $dump restored into $database in $((SECONDS - began)) s"

if [ -n "$media" ]; then
  mkdir -p "$MEDIA_ROOT"
  tar -xzf "$media" -C "$MEDIA_ROOT"
  echo "restore: $media unpacked into $MEDIA_ROOT ($(find "$MEDIA_ROOT" -type f | wc -l) files)"
fi

"${bin}psql" -X -d "$DATABASE_URL" -c "
  SELECT 'organisations' AS what, count(*) AS rows FROM monitor_organisation
  UNION ALL SELECT 'accounts', count(*) FROM monitor_user
  UNION ALL SELECT 'scans', count(*) FROM monitor_scan
  UNION ALL SELECT 'answers', count(*) FROM monitor_answer
  UNION ALL SELECT 'evidence files', count(*) FROM monitor_evidence
  UNION ALL SELECT 'masterclass registrations', count(*) FROM masterclasses_registration
  UNION ALL SELECT 'audit events', count(*) FROM monitor_auditevent"
