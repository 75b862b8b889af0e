#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker+controller) for tests and `newsbrief up`.
#
#   kafka.sh fetch                                  resolve the broker jars into the cache (once)
#   kafka.sh start DATA_DIR [PORT] [CONTROLLER_PORT] start a node, wait until it serves
#   kafka.sh stop DATA_DIR                          SIGTERM, then SIGKILL after a grace period
#   kafka.sh status DATA_DIR                        exit 0 and print the bootstrap if running, else exit 3
#
# Environment: NEWSBRIEF_CACHE (default ~/.cache/newsbrief), NEWSBRIEF_KAFKA_VERSION,
# KAFKA_START_TIMEOUT (s, default 90), KAFKA_STOP_TIMEOUT (s, default 30), KAFKA_HEAP_OPTS.
set -euo pipefail

KAFKA_VERSION="${NEWSBRIEF_KAFKA_VERSION:-4.1.2}"
LOG4J_VERSION="2.25.3"
SLF4J_VERSION="2.0.17"
DEP_PLUGIN_VERSION="3.8.1"
CACHE_DIR="${NEWSBRIEF_CACHE:-${HOME:-/tmp}/.cache/newsbrief}"
KAFKA_HOME="$CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS="$KAFKA_HOME/libs"

die() { echo "kafka.sh: $*" >&2; exit 1; }

fetch() {
    [[ -f "$LIBS/.complete" ]] && return 0
    command -v mvn >/dev/null || die "mvn not found (apt-get install -y maven)"
    mkdir -p "$KAFKA_HOME"
    # A lock, because parallel test workers may all call fetch on a cold cache.
    exec 9>"$KAFKA_HOME/.lock"
    flock 9
    if [[ ! -f "$LIBS/.complete" ]]; then
        cat >"$KAFKA_HOME/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>newsbrief.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <!-- The published kafka_2.13 pom leaves out the logging backend the distribution ships;
         slf4j 2 because the log4j binding served here (slf4j2-impl) needs it, and 1.7 callers still work. -->
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-api</artifactId>
      <version>$SLF4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j2-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>$DEP_PLUGIN_VERSION</version>
      </plugin>
    </plugins>
  </build>
</project>
EOF
        rm -rf "$LIBS"
        if ! (cd "$KAFKA_HOME" && mvn -q -B -ntp "org.apache.maven.plugins:maven-dependency-plugin:$DEP_PLUGIN_VERSION:copy-dependencies" \
                -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$KAFKA_HOME/mvn.log" 2>&1); then
            tail -n 40 "$KAFKA_HOME/mvn.log" >&2
            die "maven could not resolve kafka_2.13:$KAFKA_VERSION (full log: $KAFKA_HOME/mvn.log)"
        fi
        touch "$LIBS/.complete"
    fi
    flock -u 9
    exec 9>&-
}

# Echo the PID of the broker of DATA_DIR if it is running; checks the command line so a
# recycled PID never gets signalled.
running_pid() {
    local pidfile="$1/broker.pid" pid
    [[ -f "$pidfile" ]] || return 1
    pid="$(<"$pidfile")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka' || return 1
    # A zombie still has a /proc entry but is not serving anything.
    [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != "Z" ]] || return 1
    echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Kafka's Uuid format: 16 random bytes, base64url without padding, not starting with '-'.
random_cluster_id() {
    local id
    while :; do
        id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
        [[ "$id" != -* ]] && { echo "$id"; return; }
    done
}

# Sets JAVA_ARGS: JVM flags and classpath for DATA_DIR; the caller appends the main class.
java_args() {
    local data_dir="$1" heap
    # Small heap and C1-only JIT: a local test broker moves little data and should start fast on 2 cores.
    read -r -a heap <<<"${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m}"
    JAVA_ARGS=("${heap[@]}" -XX:+UseSerialGC -XX:TieredStopAtLevel=1
        -Djava.awt.headless=true
        -Dlog4j2.configurationFile="$data_dir/log4j2.properties"
        -Dkafka.logs.dir="$data_dir"
        -cp "$LIBS/*")
}

write_config() {
    local data_dir="$1" port="$2" cport="$3"
    cat >"$data_dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data_dir/kraft-logs
num.partitions=1
default.replication.factor=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=4
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
log.segment.bytes=16777216
log.retention.hours=24
log.retention.check.interval.ms=60000
delete.topic.enable=true
EOF
    cat >"$data_dir/log4j2.properties" <<'EOF'
status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.state.name = state.change.logger
logger.state.level = WARN
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
}

start() {
    local data_dir="${1:?usage: kafka.sh start DATA_DIR [PORT] [CONTROLLER_PORT]}"
    local port="${2:-9092}"
    local cport="${3:-$((port + 1))}"
    local timeout="${KAFKA_START_TIMEOUT:-90}"
    mkdir -p "$data_dir"
    data_dir="$(cd "$data_dir" && pwd)"
    # Already running: starting again is a no-op; broker.port says where it listens.
    running_pid "$data_dir" >/dev/null && return 0
    fetch
    command -v java >/dev/null || die "java not found (Kafka $KAFKA_VERSION needs Java 17+)"
    port_open "$port" && die "port $port on 127.0.0.1 is already in use"
    port_open "$cport" && die "controller port $cport on 127.0.0.1 is already in use"

    write_config "$data_dir" "$port" "$cport"
    java_args "$data_dir"
    if [[ ! -f "$data_dir/kraft-logs/meta.properties" ]]; then
        if ! java "${JAVA_ARGS[@]}" kafka.tools.StorageTool format \
                -t "$(random_cluster_id)" -c "$data_dir/server.properties" >"$data_dir/format.log" 2>&1; then
            cat "$data_dir/format.log" >&2
            die "formatting storage failed (log: $data_dir/format.log)"
        fi
    fi

    [[ -f "$data_dir/broker.log" ]] && mv -f "$data_dir/broker.log" "$data_dir/broker.log.1"
    # setsid: a Ctrl-C meant for the caller must not kill the broker mid-write; we stop it ourselves.
    # Not a process-group leader here, so setsid execs in place and $! is the JVM's PID.
    setsid java "${JAVA_ARGS[@]}" kafka.Kafka "$data_dir/server.properties" \
        </dev/null >"$data_dir/broker.log" 2>&1 &
    local pid=$!
    echo "$pid" >"$data_dir/broker.pid"
    echo "$port" >"$data_dir/broker.port"

    local deadline=$((SECONDS + timeout))
    # The listening socket is bound before requests are served, so also wait for the
    # "started" line the server logs once it has caught up with its metadata.
    until port_open "$port" && grep -q 'Kafka Server started' "$data_dir/broker.log"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$data_dir/broker.log" >&2
            rm -f "$data_dir/broker.pid"
            die "broker exited during startup (log: $data_dir/broker.log)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 30 "$data_dir/broker.log" >&2
            # A half-started JVM would outlive the failed caller (a test run) unnoticed.
            stop "$data_dir"
            die "broker not ready on 127.0.0.1:$port after ${timeout}s, stopped it (log: $data_dir/broker.log)"
        fi
        sleep 0.2
    done
}

stop() {
    local data_dir="${1:?usage: kafka.sh stop DATA_DIR}"
    local timeout="${KAFKA_STOP_TIMEOUT:-30}" pid
    if ! pid="$(running_pid "$data_dir")"; then
        rm -f "$data_dir/broker.pid"
        return 0
    fi
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + timeout))
    while running_pid "$data_dir" >/dev/null; do
        if ((SECONDS >= deadline)); then
            echo "kafka.sh: broker PID $pid ignored SIGTERM for ${timeout}s, killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.5
            break
        fi
        sleep 0.2
    done
    rm -f "$data_dir/broker.pid"
}

status() {
    local data_dir="${1:?usage: kafka.sh status DATA_DIR}" pid
    if pid="$(running_pid "$data_dir")"; then
        echo "running pid=$pid bootstrap=127.0.0.1:$(cat "$data_dir/broker.port" 2>/dev/null)"
    else
        echo "stopped"
        return 3
    fi
}

cmd="${1:-}"
shift || true
case "$cmd" in
    fetch) fetch ;;
    start) start "$@" ;;
    stop) stop "$@" ;;
    status) status "$@" ;;
    libs) fetch; echo "$LIBS" ;;
    *) echo "usage: kafka.sh {fetch|start DATA_DIR [PORT] [CONTROLLER_PORT]|stop DATA_DIR|status DATA_DIR|libs}" >&2; exit 2 ;;
esac
