#!/bin/sh
# Backup: the database as a pg_dump custom-format archive, and the uploaded files (MEDIA_ROOT) as a tar.
#   scripts/prod-backup.sh /var/backups/allmende        (reads DATABASE_URL and MEDIA_ROOT)
# Writes allmende-<stamp>.dump, media-<stamp>.tar.gz and SHA256SUMS-<stamp>; prints the stamp.
# Restore with scripts/prod-restore.sh; scripts/prod-backup-restore-check.sh proves the round trip.
set -eu
DEST=${1:?usage: prod-backup.sh BACKUP_DIR}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
: "${MEDIA_ROOT:?MEDIA_ROOT must name the uploads folder}"
STAMP=${BACKUP_STAMP:-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$DEST"
umask 077
pg_dump --format=custom --compress=6 --file="$DEST/allmende-$STAMP.dump" --dbname="$DATABASE_URL"
mkdir -p "$MEDIA_ROOT"
tar -C "$MEDIA_ROOT" -czf "$DEST/media-$STAMP.tar.gz" .
(cd "$DEST" && sha256sum "allmende-$STAMP.dump" "media-$STAMP.tar.gz" > "SHA256SUMS-$STAMP")
echo "$STAMP"
