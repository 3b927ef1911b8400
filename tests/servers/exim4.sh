#!/bin/sh
# exim4.sh - Exim as an SMTP server on stdin/stdout ("exim4 -bs") with the private
# configuration tests/servers/exim4.conf and its spool and logs under SPOOL_DIR
# (default: a folder under TMPDIR). For: smtpfuzz check --exec 'tests/servers/exim4.sh DIR'.
# Exim accepts -C and -D from root (or a trusted user) only.
spool=${1:-${TMPDIR:-/tmp}/smtpfuzz-exim}
mkdir -p "$spool" || exit 1
exec /usr/sbin/exim4 -C "$(dirname "$0")/exim4.conf" -DSPOOL="$spool" -bs
