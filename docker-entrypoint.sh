#!/bin/sh
# web (default) | worker | migrate
set -e
case "${1:-web}" in
  web) exec node --import tsx server/main.ts ;;
  worker) exec node --import tsx server/worker-main.ts ;;
  migrate) exec node --import tsx db/migrate-cli.ts ;;
  *) exec "$@" ;;
esac
