#!/bin/sh
# aiosmtpd.sh - run COMMAND... while python3-aiosmtpd listens on 127.0.0.1:PORT.
#
#   tests/servers/aiosmtpd.sh COMMAND ARGS...    (every @PORT@ in ARGS becomes the port)
#
# Picks a free loopback port, starts "python3 -m aiosmtpd -n" with the Sink handler
# (messages are dropped, nothing printed), waits until it accepts connections, runs
# COMMAND, stops the server it started (by its pid) and exits with COMMAND's status.
python=${SMTPFUZZ_PYTHON:-/usr/bin/python3}
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') || exit 2
"$python" -m aiosmtpd -n -l "127.0.0.1:$port" -c aiosmtpd.handlers.Sink >/dev/null 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT
tries=0
until "$python" -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 100 ]; then
        echo "aiosmtpd.sh: the server did not come up on port $port" >&2
        exit 2
    fi
    sleep 0.1
done
n=$#
i=0
while [ "$i" -lt "$n" ]; do
    arg=$1
    shift
    case $arg in *@PORT@*) arg=$(printf '%s' "$arg" | sed "s/@PORT@/$port/g") ;; esac
    set -- "$@" "$arg"
    i=$((i + 1))
done
"$@"
