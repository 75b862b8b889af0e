"""`newsbrief up` / `newsbrief down`: the whole system on one machine, as child processes.

The broker and Redis are started by the deploy/local scripts (through ``newsbrief.infra``), the
sample feeds are served by a loopback HTTP server, and the four services run as
``newsbrief serve <name>``. Every process is tracked by PID in a state file so that `down`
(or Ctrl-C) stops exactly what `up` started.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
import typer

from newsbrief.infra import InfraError, KafkaBroker, RedisServer, free_ports
from newsbrief.topics import DEFAULT_PARTITIONS, create_topics

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SERVICES = ("ingest", "cluster", "compose", "api")
STATE_FILE = "stack.json"


class StackError(RuntimeError):
    """A component of the local stack failed or died."""


@dataclass
class StackConfig:
    """Where the local stack keeps its data and which ports it uses."""

    run_dir: Path
    api_port: int = 8080
    ingest_port: int = 8081
    cluster_web_port: int = 6066
    compose_web_port: int = 6067
    feeds_port: int = 0
    feeds_file: Path = EXAMPLES / "feeds.toml"
    topic_prefix: str = "newsbrief"
    redis_key_prefix: str = "nb"
    partitions: int = DEFAULT_PARTITIONS


@dataclass
class StackState:
    """What is running: written to ``run_dir/stack.json`` for `newsbrief down`."""

    run_dir: str
    bootstrap: str = ""
    redis_url: str = ""
    api_url: str = ""
    pids: dict[str, int] = field(default_factory=dict)

    def save(self) -> None:
        Path(self.run_dir, STATE_FILE).write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, run_dir: Path) -> StackState | None:
        path = run_dir / STATE_FILE
        if not path.exists():
            return None
        return cls(**json.loads(path.read_text()))


# Settings a command next to `newsbrief up` takes from the running stack: `up` starts the
# broker and Redis on free ports, so the settings' defaults would point elsewhere.
STACK_FIELDS = {"redis_url": "redis_url", "kafka_bootstrap": "bootstrap"}


def stack_default(settings, name: str, run_dir: Path | None = None) -> str:
    """A setting's value when configured, else the running local stack's, else its default."""
    if name in settings.model_fields_set:
        return getattr(settings, name)
    state = StackState.load(run_dir or ROOT / ".run")
    value = getattr(state, STACK_FIELDS[name]) if state else ""
    return value or getattr(settings, name)


def stop_on(signum: int) -> None:
    """Let this signal stop the local stack the way Ctrl-C does (SIGTERM from `kill`, systemd)."""

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signum, interrupt)


def service_env(
    config: StackConfig, bootstrap: str, redis_url: str, feeds_base_url: str
) -> dict[str, str]:
    """Environment for the four services: one variable prefix per service."""
    env: dict[str, str] = {}
    for service in SERVICES:
        prefix = f"NEWSBRIEF_{service.upper()}_"
        env[prefix + "KAFKA_BOOTSTRAP"] = bootstrap
        env[prefix + "TOPIC_PREFIX"] = config.topic_prefix
        env[prefix + "REDIS_URL"] = redis_url
        env[prefix + "REDIS_KEY_PREFIX"] = config.redis_key_prefix
    env["NEWSBRIEF_API_PORT"] = str(config.api_port)
    env["NEWSBRIEF_INGEST_PORT"] = str(config.ingest_port)
    env["NEWSBRIEF_INGEST_FEEDS_FILE"] = str(config.feeds_file)
    env["NEWSBRIEF_INGEST_FEEDS_BASE_URL"] = feeds_base_url
    # The sample feeds are served on loopback, which ingest blocks by default (SSRF guard).
    env["NEWSBRIEF_INGEST_ALLOW_HOSTS"] = "127.0.0.1,localhost"
    env["NEWSBRIEF_CLUSTER_WEB_PORT"] = str(config.cluster_web_port)
    env["NEWSBRIEF_COMPOSE_WEB_PORT"] = str(config.compose_web_port)
    env["NEWSBRIEF_INGEST_DATA_DIR"] = str(config.run_dir / "ingest")
    env["NEWSBRIEF_COMPOSE_DATA_DIR"] = str(config.run_dir / "compose")
    env["NEWSBRIEF_CLUSTER_DATA_DIR"] = str(config.run_dir / "cluster")
    # Compose's tables are co-partitioned with the story-events topic.
    env["NEWSBRIEF_COMPOSE_PARTITIONS"] = str(config.partitions)
    # Consumer groups follow the topic prefix, so two stacks on one broker never share one.
    env["NEWSBRIEF_CLUSTER_APP_ID"] = f"{config.topic_prefix}-cluster"
    env["NEWSBRIEF_COMPOSE_APP_ID"] = f"{config.topic_prefix}-compose"
    return env


def spawn(name: str, args: list[str], env: dict[str, str], log_dir: Path) -> subprocess.Popen:
    """Start a child in its own session (so Ctrl-C reaches only us), logging to a file."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
    return subprocess.Popen(
        args,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        cwd=ROOT,
    )


def start_services(
    env: dict[str, str], log_dir: Path, services: tuple[str, ...] = SERVICES
) -> dict[str, subprocess.Popen]:
    """Start `newsbrief serve <name>` for each service."""
    return {
        name: spawn(name, [sys.executable, "-m", "newsbrief", "serve", name], env, log_dir)
        for name in services
    }


def start_feed_server(port: int, log_dir: Path) -> subprocess.Popen:
    """Serve examples/ on loopback so ingest fetches the sample feeds over real HTTP."""
    args = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"]
    args += ["--directory", str(EXAMPLES)]
    return spawn("feeds", args, {}, log_dir)


def stop_pids(pids: list[int], timeout: float = 20) -> None:
    """SIGTERM process groups together, then SIGKILL those still there after timeout."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5)):
        alive = [pid for pid in pids if _running(pid)]
        for pid in alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, sig)
        deadline = time.monotonic() + wait
        while alive and time.monotonic() < deadline:
            time.sleep(0.1)
            alive = [pid for pid in alive if _running(pid)]
        if not alive:
            return


def stop_pid(pid: int, timeout: float = 20) -> None:
    """SIGTERM a process group, then SIGKILL it if it has not gone within timeout."""
    stop_pids([pid], timeout)


def _running(pid: int) -> bool:
    # Reap our own exited children so they do not linger as zombies.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def dead_component(
    children: dict[str, subprocess.Popen], broker: KafkaBroker, redis: RedisServer, log_dir: Path
) -> str | None:
    """Name the first component that is no longer running, with its log, or None."""
    if not broker.alive():
        return f"the Kafka broker died (log: {broker.log_file})"
    if not redis.alive():
        return f"Redis died (log: {redis.log_file})"
    for name, child in children.items():
        code = child.poll()
        if code is not None:
            return f"the {name} process exited with code {code} (log: {log_dir / name}.log)"
    return None


def sample_article_count() -> int:
    """How many distinct articles the bundled sample feeds hold."""
    import feedparser

    links = set()
    for path in sorted((EXAMPLES / "feeds").glob("*.xml")):
        links.update(entry.get("link") for entry in feedparser.parse(str(path)).entries)
    links.discard(None)
    return len(links)


def served_article_count(client: httpx.Client) -> tuple[int, int]:
    """(stories, articles in them) as the API serves them right now."""
    stories, articles, cursor = 0, 0, None
    while True:
        params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
        response = client.get("/v1/stories", params=params)
        if response.status_code != 200:
            return stories, articles
        body = response.json()
        for item in body.get("items", []):
            stories += 1
            articles += int(item.get("article_count", 0))
        cursor = body.get("next_cursor")
        if not cursor:
            return stories, articles


def wait_for_briefs(
    api_url: str, expected: int, check: callable, timeout: float, echo=typer.echo
) -> None:
    """Wait until the API serves briefs covering the sample articles, showing progress."""
    deadline = time.monotonic() + timeout
    last = None
    with httpx.Client(base_url=api_url, timeout=5) as client:
        while time.monotonic() < deadline:
            problem = check()
            if problem:
                raise StackError(problem)
            try:
                stories, articles = served_article_count(client)
            except httpx.HTTPError:
                stories, articles = 0, 0
            if (stories, articles) != last:
                echo(f"  {articles} of {expected} articles clustered into {stories} stories")
                last = (stories, articles)
            if stories and articles >= expected:
                return
            time.sleep(1)
    if last and last[0]:
        echo(f"  timed out waiting for all {expected} articles; serving what is there")
        return
    raise StackError(f"no brief was served within {timeout:.0f}s (logs in the run directory)")


def show_one_brief(api_url: str, echo=typer.echo) -> None:
    """Print the newest brief, as a client app would receive it."""
    with httpx.Client(base_url=api_url, timeout=5) as client:
        listing = client.get("/v1/stories", params={"limit": 1}).json()
        items = listing.get("items", [])
        if not items:
            return
        brief = client.get(f"/v1/stories/{items[0]['id']}").json()
    echo(f"\n{brief['headline']}  ({api_url}/v1/stories/{brief['id']})")
    for s in brief.get("whats_happened", []):
        echo(f"  - {s['text']}")
    for line in brief.get("what_the_papers_say", []):
        echo(f"  * {line['text']}")


@dataclass
class LocalStack:
    """The running local system: broker, Redis, feed server and the four services."""

    config: StackConfig
    echo: callable = typer.echo
    broker: KafkaBroker = field(init=False)
    redis: RedisServer = field(init=False)
    children: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.broker = KafkaBroker(self.config.run_dir / "kafka")
        self.redis = RedisServer(self.config.run_dir / "redis")

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.config.api_port}"

    def start(self) -> None:
        """Start everything and create the topics."""
        run_dir = self.config.run_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        self.echo("starting the Kafka broker (the first run resolves its jars with Maven)...")
        self.broker.start(timeout=180)
        self.echo(f"  broker on {self.broker.bootstrap}")
        self.redis.start(timeout=30)
        self.echo(f"  redis on {self.redis.url}")
        created = create_topics(
            self.broker.bootstrap, self.config.topic_prefix, partitions=self.config.partitions
        )
        self.echo(f"  topics ready ({len(created)} created)")
        feeds_port = self.config.feeds_port or free_ports(1)[0]
        self.children["feeds"] = start_feed_server(feeds_port, run_dir / "logs")
        env = service_env(
            self.config, self.broker.bootstrap, self.redis.url, f"http://127.0.0.1:{feeds_port}/"
        )
        self.children.update(start_services(env, run_dir / "logs"))
        self.echo(f"  services started: {', '.join(SERVICES)} (logs in {run_dir / 'logs'})")
        self.state().save()

    def state(self) -> StackState:
        return StackState(
            run_dir=str(self.config.run_dir),
            bootstrap=self.broker.bootstrap,
            redis_url=self.redis.url,
            api_url=self.api_url,
            pids={name: child.pid for name, child in self.children.items()},
        )

    def problem(self) -> str | None:
        return dead_component(self.children, self.broker, self.redis, self.config.run_dir / "logs")

    def stop(self) -> None:
        """Stop every process this stack started, services first, by PID."""
        stop_pids([child.pid for child in self.children.values()])
        self.redis.stop()
        self.broker.stop()
        (self.config.run_dir / STATE_FILE).unlink(missing_ok=True)


def down(run_dir: Path, echo=typer.echo) -> bool:
    """Stop a stack started with `up --detach`; False when none was running."""
    state = StackState.load(run_dir)
    if state is None:
        return False
    echo(f"stopping {', '.join(state.pids)}")
    stop_pids(list(state.pids.values()))
    RedisServer(run_dir / "redis").stop()
    KafkaBroker(run_dir / "kafka").stop()
    (run_dir / STATE_FILE).unlink(missing_ok=True)
    return True


def register(cli: typer.Typer) -> None:
    """Add `up` and `down` to the CLI."""

    @cli.command()
    def up(
        detach: bool = typer.Option(False, help="return once briefs are served; stop with `down`"),
        run_dir: Path = typer.Option(ROOT / ".run", help="data, logs and PIDs of the stack"),
        api_port: int = typer.Option(8080, envvar="NEWSBRIEF_API_PORT"),
        ingest_port: int = typer.Option(8081, envvar="NEWSBRIEF_INGEST_PORT"),
        timeout: float = typer.Option(600, help="seconds to wait for the sample briefs"),
    ) -> None:
        """Run the whole system locally on the sample corpus until Ctrl-C."""
        if StackState.load(run_dir) is not None:
            down(run_dir)
        config = StackConfig(run_dir=run_dir, api_port=api_port, ingest_port=ingest_port)
        stack = LocalStack(config)
        started = time.monotonic()
        stop_on(signal.SIGTERM)
        stop_on(signal.SIGINT)  # a shell starting `up` in the background ignores Ctrl-C's signal
        try:
            stack.start()
            expected = sample_article_count()
            stack.echo(f"ingesting the sample corpus ({expected} articles)...")
            wait_for_briefs(stack.api_url, expected, stack.problem, timeout)
            stack.echo(f"first briefs served after {time.monotonic() - started:.1f}s")
            show_one_brief(stack.api_url)
            stack.echo(f"\nAPI: {stack.api_url}/v1/stories  (docs: {stack.api_url}/docs)")
            if detach:
                stack.echo("running in the background; stop it with `newsbrief down`")
                return
            stack.echo("press Ctrl-C to stop")
            while (problem := stack.problem()) is None:
                time.sleep(1)
            raise StackError(problem)
        except KeyboardInterrupt:
            stack.echo("\nstopping...")
            stack.stop()
        except (StackError, InfraError) as exc:
            stack.echo(f"error: {exc}", err=True)
            stack.stop()
            raise typer.Exit(1) from exc

    @cli.command("down")
    def down_command(
        run_dir: Path = typer.Option(ROOT / ".run", help="the run directory given to `up`"),
    ) -> None:
        """Stop a stack started with `newsbrief up --detach`."""
        if not down(run_dir):
            typer.echo(f"no stack is running from {run_dir}")
