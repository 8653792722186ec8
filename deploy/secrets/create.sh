#!/bin/sh
# Writes the secret files deploy/compose.yaml reads, with fresh random passwords, into this directory (or the one
# given). A file that exists is kept, and the URLs are built from the passwords on disk, so running it again never
# changes a secret and never leaves a URL and its password apart. meili_api_key is not written: Meilisearch creates
# that key (README).
set -eu
dir=${1:-$(dirname "$0")}
umask 077

# 64 hex digits: 256 random bits, and nothing a URL would need to escape.
random() {
  od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
}

# Prints the secret's value: the file's, or the given one after writing it. Readable by every account inside the
# containers (each reads only the secrets compose grants it); the directory keeps everyone else on the host out.
secret() {
  if [ ! -e "$dir/$1" ]; then
    printf '%s\n' "$2" >"$dir/$1"
    chmod 0444 "$dir/$1"
    echo "written: $dir/$1" >&2
  fi
  head -n 1 "$dir/$1"
}

chmod 0700 "$dir"
postgres=$(secret postgres_password "$(random)")
secret database_url "postgres://jobbruecke:$postgres@postgres:5432/jobbruecke" >/dev/null
redis=$(secret redis_password "$(random)")
secret redis_url "redis://:$redis@redis:6379" >/dev/null
secret meili_master_key "$(random)" >/dev/null
if [ ! -e "$dir/meili_api_key" ]; then
  echo "still missing: $dir/meili_api_key (deploy/secrets/README says how to create it)" >&2
fi
