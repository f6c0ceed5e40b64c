#!/bin/sh
# Restore a backup made by scripts/prod-backup.sh into an EMPTY database and uploads folder.
#   scripts/prod-restore.sh /var/backups/allmende <stamp>   (reads DATABASE_URL and MEDIA_ROOT)
# Create the empty database first (docs/deployment.md, "Restore"); the script refuses a database
# that already has tables. Stop the web and worker services while restoring over a live system.
set -eu
SRC=${1:?usage: prod-restore.sh BACKUP_DIR STAMP}
STAMP=${2:?usage: prod-restore.sh BACKUP_DIR STAMP}
: "${DATABASE_URL:?DATABASE_URL must point at the (empty) PostgreSQL database}"
: "${MEDIA_ROOT:?MEDIA_ROOT must name the uploads folder}"
(cd "$SRC" && sha256sum --check --quiet "SHA256SUMS-$STAMP")
TABLES=$(psql --dbname="$DATABASE_URL" -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$TABLES" != "0" ]; then
    echo "restore: the target database already has $TABLES tables; restore into an empty one" >&2
    exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$DATABASE_URL" "$SRC/allmende-$STAMP.dump"
psql --dbname="$DATABASE_URL" -qc "ANALYZE"
mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -xzf "$SRC/media-$STAMP.tar.gz"
echo "restore: $STAMP restored"
