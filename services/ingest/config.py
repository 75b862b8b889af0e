"""Ingest settings, read from ``NEWSBRIEF_INGEST_*`` environment variables."""

from __future__ import annotations

from newsbrief.settings import ServiceSettings, service_config


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


class IngestSettings(ServiceSettings):
    """Settings of the ingest service (env prefix ``NEWSBRIEF_INGEST_``)."""

    model_config = service_config("NEWSBRIEF_INGEST_")

    host: str = "127.0.0.1"
    """Address the HTTP API binds to (env ``NEWSBRIEF_INGEST_HOST``)."""
    port: int = 8081
    """Port of the HTTP API (env ``NEWSBRIEF_INGEST_PORT``)."""
    feeds_file: str = ""
    """TOML feed list; empty disables polling (env ``NEWSBRIEF_INGEST_FEEDS_FILE``)."""
    feeds_base_url: str = ""
    """Base that relative feed URLs resolve against (env ``NEWSBRIEF_INGEST_FEEDS_BASE_URL``)."""
    allow_hosts: str = ""
    """Comma-separated hosts, IPs or CIDRs exempt from the private-address block
    (env ``NEWSBRIEF_INGEST_ALLOW_HOSTS``), e.g. ``127.0.0.1,localhost`` for local runs."""
    api_keys: str = ""
    """Comma-separated API keys accepted in ``X-API-Key``; empty refuses every push
    (env ``NEWSBRIEF_INGEST_API_KEYS``)."""
    max_body_bytes: int = 5_000_000
    """Largest feed, page or push body accepted (env ``NEWSBRIEF_INGEST_MAX_BODY_BYTES``)."""
    max_batch: int = 100
    """Most articles in one push (env ``NEWSBRIEF_INGEST_MAX_BATCH``)."""
    max_redirects: int = 5
    """Redirect hops followed per fetch (env ``NEWSBRIEF_INGEST_MAX_REDIRECTS``)."""
    fetch_timeout_s: float = 10.0
    """Per-request timeout (env ``NEWSBRIEF_INGEST_FETCH_TIMEOUT_S``)."""
    fetch_retries: int = 3
    """Retries of a failed fetch within one poll (env ``NEWSBRIEF_INGEST_FETCH_RETRIES``)."""
    retry_base_s: float = 0.5
    """Base delay of the exponential retry backoff (env ``NEWSBRIEF_INGEST_RETRY_BASE_S``)."""
    host_concurrency: int = 2
    """Concurrent requests per host (env ``NEWSBRIEF_INGEST_HOST_CONCURRENCY``)."""
    host_min_interval_s: float = 0.5
    """Minimum gap between two requests to one host (env ``..._HOST_MIN_INTERVAL_S``)."""
    respect_robots: bool = True
    """Honour robots.txt (env ``NEWSBRIEF_INGEST_RESPECT_ROBOTS``)."""
    user_agent: str = "newsbrief-ingest/0.1 (+https://example.org/newsbrief)"
    """User-Agent of every fetch, also matched against robots.txt (env ``..._USER_AGENT``)."""
    full_text: bool = True
    """Fetch the article page when a feed item is only a teaser (env ``..._FULL_TEXT``)."""
    teaser_chars: int = 600
    """Items whose text is shorter than this are teasers (env ``NEWSBRIEF_INGEST_TEASER_CHARS``)."""
    failure_backoff_max_s: float = 3600.0
    """Longest pause of a feed that keeps failing (env ``..._FAILURE_BACKOFF_MAX_S``)."""
    failing_after: int = 3
    """Consecutive failures after which a feed is reported failing (env ``..._FAILING_AFTER``)."""
    default_poll_interval_s: float = 300.0
    """Poll interval of feeds that do not set one (env ``..._DEFAULT_POLL_INTERVAL_S``)."""
    future_tolerance_s: float = 600.0
    """Later publish times are clamped and flagged (env ``..._FUTURE_TOLERANCE_S``)."""
    near_dup_threshold: float = 0.8
    """Jaccard similarity that makes a near duplicate (env ``..._NEAR_DUP_THRESHOLD``)."""
    dedup_capacity: int = 200_000
    """Articles remembered for duplicate detection (env ``NEWSBRIEF_INGEST_DEDUP_CAPACITY``)."""
    ack_timeout_s: float = 30.0
    """Wait for broker acks before a push answers 503 (env ``..._ACK_TIMEOUT_S``)."""
    poll: bool = True
    """Run the feed poller inside `serve` (env ``NEWSBRIEF_INGEST_POLL``)."""
    data_dir: str = ""
    """Folder of the state file (feed positions, delivered article ids) that survives restarts;
    empty keeps that memory in the process only (env ``NEWSBRIEF_INGEST_DATA_DIR``)."""
    delivery_timeout_s: float = 24 * 3600.0
    """How long the producer keeps retrying a message while the broker is away before it gives
    up on it (env ``NEWSBRIEF_INGEST_DELIVERY_TIMEOUT_S``)."""
    round_grace_s: float = 10.0
    """Feeds due together are published as one round, oldest item first across feeds (the
    cluster engine decides in arrival order); a round waits this long for its slowest feeds,
    which are then published on their own. 0 publishes each feed as soon as it is parsed
    (env ``NEWSBRIEF_INGEST_ROUND_GRACE_S``)."""
    robots_ttl_s: float = 24 * 3600.0
    """How long a fetched robots.txt is trusted (RFC 9309 advises at most 24 h)
    (env ``NEWSBRIEF_INGEST_ROBOTS_TTL_S``)."""

    def allowed_hosts(self) -> tuple[str, ...]:
        """The allowlist as a tuple."""
        return _split(self.allow_hosts)

    def api_key_set(self) -> frozenset[str]:
        """The accepted API keys."""
        return frozenset(_split(self.api_keys))
