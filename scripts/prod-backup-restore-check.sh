#!/bin/sh
# Proves that a backup restores: creates a PostgreSQL database, migrates it and loads the demo city,
# adds an upload, backs it up with scripts/prod-backup.sh, restores into a second database and folder
# with scripts/prod-restore.sh, and compares every table (row count and a checksum of its rows), the
# migration state and the uploads. Both databases are dropped afterwards.
#   scripts/prod-backup-restore-check.sh     (PG_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres)
set -eu
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
ADMIN_URL=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}
BASE_URL=${ADMIN_URL%/*}
SRC_DB=allmende_backupcheck_src_$$
DST_DB=allmende_backupcheck_dst_$$
WORK=$(mktemp -d)
cleanup() {
    psql --dbname="$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $SRC_DB" -c "DROP DATABASE IF EXISTS $DST_DB" || true
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

psql --dbname="$ADMIN_URL" -qc "CREATE DATABASE $SRC_DB" -c "CREATE DATABASE $DST_DB"
export EMAIL_FILE_PATH="$WORK/mail" ALLMENDE_VAR_DIR="$WORK"

echo "== source: migrate and load the demo city into $SRC_DB"
export DATABASE_URL="$BASE_URL/$SRC_DB" MEDIA_ROOT="$WORK/media-src"
"$PY" manage.py migrate --noinput --verbosity 0
"$PY" manage.py demo > "$WORK/demo.log"
mkdir -p "$MEDIA_ROOT/proposals"
head -c 65536 /dev/urandom > "$MEDIA_ROOT/proposals/photo.jpg"
echo "Stadtgarten" > "$MEDIA_ROOT/proposals/caption.txt"

echo "== backup"
STAMP=$(sh scripts/prod-backup.sh "$WORK/backup")
ls -l "$WORK/backup"

echo "== restore into $DST_DB"
export DATABASE_URL="$BASE_URL/$DST_DB" MEDIA_ROOT="$WORK/media-dst"
sh scripts/prod-restore.sh "$WORK/backup" "$STAMP"

echo "== compare"
fingerprint() {
    psql --dbname="$1" -tA -F ' ' <<'SQL'
CREATE TEMP TABLE fp (name text, n bigint, digest text);
DO $$
DECLARE t text; n bigint; d text;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename LOOP
    EXECUTE format('SELECT count(*), md5(coalesce(string_agg(r::text, ''|'' ORDER BY r::text), '''')) FROM %I r', t)
      INTO n, d;
    INSERT INTO fp VALUES (t, n, d);
  END LOOP;
END $$;
SELECT name, n, digest FROM fp ORDER BY name;
SQL
}
fingerprint "$BASE_URL/$SRC_DB" > "$WORK/src.txt"
fingerprint "$BASE_URL/$DST_DB" > "$WORK/dst.txt"
diff "$WORK/src.txt" "$WORK/dst.txt"
diff -r "$WORK/media-src" "$WORK/media-dst"
"$PY" manage.py migrate --check --verbosity 0   # the restored database is at the code's migration state
TABLES=$(wc -l < "$WORK/src.txt")
ROWS=$(awk '{ s += $2 } END { print s }' "$WORK/src.txt")
FILES=$(find "$WORK/media-dst" -type f | wc -l)
echo "backup-restore-check: OK: $TABLES tables, $ROWS rows, $FILES uploaded files identical after restore"
