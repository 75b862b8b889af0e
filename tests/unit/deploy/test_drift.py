"""No drift: every service, port, variable and endpoint the deploy files name exists in the code.

The truth comes from the code (codefacts): the CLI's service list and commands, each service's
Settings class (env prefix, fields, default ports) and its routes. A service whose module does
not exist yet is skipped with the reason, never passed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbrief.topics import DEFAULT_PARTITIONS

from . import deployfiles as df
from .codefacts import (
    MissingService,
    ServiceFacts,
    cli_command_options,
    import_service_module,
    service_facts,
    service_names,
)

SERVICES = service_names()
PROBES_REQUIRED = {"livenessProbe", "readinessProbe"}


def facts_or_skip(service: str) -> ServiceFacts:
    """The service's facts, or skip the test when its module is not written yet."""
    try:
        return service_facts(service)
    except MissingService as exc:
        pytest.skip(f"service {service!r}: {exc}")


def known_variables() -> set[str]:
    """Every variable some service or CLI command reads (services not written yet left out)."""
    names = set()
    for service in SERVICES:
        try:
            names |= service_facts(service).env_names
        except MissingService:
            continue
    for _, envvars in cli_command_options().values():
        names |= envvars
    return names


def unverifiable(name: str) -> bool:
    """A variable of a service whose module does not exist yet (its own test skips)."""
    for service in SERVICES:
        if name.startswith(f"NEWSBRIEF_{service.upper()}_"):
            try:
                service_facts(service)
            except MissingService:
                return True
    return False


def unknown_names(names, known: set[str]) -> list[str]:
    return sorted(n for n in names if n not in known and not unverifiable(n))


def container_problems(c: df.Container, facts: ServiceFacts, allowed_env: set[str]) -> list[str]:
    """What a container running `serve <service>` names that the service does not have."""
    problems = [f"{c.where}: unknown variable {n}" for n in unknown_names(c.env, allowed_env)]
    listening = facts.effective_ports(c.env)
    problems += [
        f"{c.where}: port {p} declared, but {facts.name} listens on {sorted(listening)}"
        for p in sorted(c.ports - listening)
    ]
    for e in c.endpoints:
        if e.port not in listening:
            problems.append(f"{c.where}: {e.what} on port {e.port}, not one {facts.name} opens")
        if e.path not in facts.routes:
            problems.append(
                f"{c.where}: {e.what} path {e.path} is not served by {facts.name} "
                f"({facts.route_source}: {sorted(facts.routes)})"
            )
    return problems


def command_problems(c: df.Container, strict_env: bool) -> list[str]:
    """What a one-shot `newsbrief <command>` container names that the CLI does not have."""
    commands = cli_command_options()
    if not c.args or c.args[0] not in commands:
        return [f"{c.where}: `newsbrief {' '.join(c.args)}` is not a CLI command"]
    opts, envvars = commands[c.args[0]]
    problems = [
        f"{c.where}: option {a} of {c.args[0]} does not exist"
        for a in c.args[1:]
        if a.startswith("--") and a.split("=")[0] not in opts
    ]
    if strict_env:
        problems += [f"{c.where}: {c.args[0]} reads no {n}" for n in sorted(set(c.env) - envvars)]
    return problems


def partition_problems(containers: list[df.Container]) -> list[str]:
    """Topic creation and compose must agree on the story-events partition count."""
    created = [_partitions_arg(c.args) for c in containers if c.args[:1] == ["create-topics"]]
    problems = []
    for c in containers:
        if c.service != "compose":
            continue
        facts = facts_or_skip("compose")
        expected = facts.effective("partitions", c.env)
        for count in created:
            if expected is not None and int(expected) != count:
                problems.append(f"{c.where}: partitions={expected}, topics created with {count}")
    return problems


def _partitions_arg(args: list[str]) -> int:
    if "--partitions" in args:
        return int(args[args.index("--partitions") + 1])
    return DEFAULT_PARTITIONS


def test_deploy_files_run_exactly_the_cli_services():
    """Compose and Kubernetes run every service `newsbrief serve` knows, and nothing else."""
    compose = {c.service for c in df.compose_containers()} - {None}
    docs = df.raw_k8s_documents()
    k8s = {c.service for c in df.k8s_containers(docs)} - {None}
    assert compose == set(SERVICES), f"docker-compose.yml runs {compose}, the CLI has {SERVICES}"
    assert k8s == set(SERVICES), f"deploy/k8s runs {k8s}, the CLI has {SERVICES}"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_service_matches_code(service):
    """Each compose service's variables, ports and healthcheck exist in that service's code."""
    facts = facts_or_skip(service)
    containers = [c for c in df.compose_containers() if c.service == service]
    assert containers, f"docker-compose.yml does not run {service}"
    problems = []
    for c in containers:
        # Compose hands each container only its own variables: hold them to its own prefix.
        problems += container_problems(c, facts, set(facts.env_names))
        if not c.endpoints:
            problems.append(f"{c.where}: no HTTP healthcheck")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_base_workload_matches_code(service):
    """Each base Deployment's variables, ports, probes and scrape path exist in the code."""
    facts = facts_or_skip(service)
    docs = df.raw_k8s_documents(df.K8S / "base")
    generated = {"newsbrief-config": df.env_file(df.K8S / "base" / "config.env")}
    containers = [c for c in df.k8s_containers(docs, generated) if c.service == service]
    assert containers, f"deploy/k8s/base runs no {service}"
    problems = []
    for c in containers:
        problems += container_problems(c, facts, known_variables())
        missing = PROBES_REQUIRED - {e.what for e in c.endpoints}
        problems += [f"{c.where}: no {probe}" for probe in sorted(missing)]
    assert not problems, "\n".join(problems)


def test_env_example_names_exist():
    """.env.example holds compose knobs the compose file uses and variables services read."""
    keys = df.env_file(df.ENV_EXAMPLE)
    knobs = {k for k in keys if not k.startswith("NEWSBRIEF_")}
    problems = [
        f"knob {k} is never used by docker-compose.yml"
        for k in sorted(knobs - df.compose_variables())
    ]
    problems += [
        f"{n} is read by no service" for n in unknown_names(set(keys) - knobs, known_variables())
    ]
    assert not problems, ".env.example:\n" + "\n".join(problems)


def test_k8s_config_names_exist():
    """Every ConfigMap, Secret and generator variable in deploy/k8s is read by some service."""
    names = set(df.k8s_generated_env()) | set(df.config_variables(df.raw_k8s_documents()))
    unknown = unknown_names(names, known_variables())
    assert not unknown, f"deploy/k8s sets variables no service reads: {unknown}"


def test_one_shot_commands_exist_in_the_cli():
    """The topic-creation service and Job call a real command with real options."""
    compose = [c for c in df.compose_containers() if c.service is None]
    k8s = [c for c in df.k8s_containers(df.raw_k8s_documents()) if c.service is None]
    assert any(c.args[:1] == ["create-topics"] for c in compose), "compose creates no topics"
    assert any(c.args[:1] == ["create-topics"] for c in k8s), "deploy/k8s has no topic Job"
    problems = [p for c in compose for p in command_problems(c, strict_env=True)]
    problems += [p for c in k8s for p in command_problems(c, strict_env=False)]
    assert not problems, "\n".join(problems)


def test_compose_partitions_agree_with_topic_creation():
    """docker-compose.yml tells compose the partition count the topics are created with."""
    problems = partition_problems(df.compose_containers())
    assert not problems, "\n".join(problems)


def test_k8s_services_target_declared_container_ports():
    """Every Kubernetes Service targets a port its pods declare."""
    docs = df.raw_k8s_documents()
    problems = [
        f"Service {name}: targetPort {port} is no container port of its pods"
        for name, selector, ports in df.k8s_service_targets(docs)
        for port in ports
        if port not in df.pod_port_names(docs, selector)
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("overlay", df.OVERLAYS, ids=lambda p: p.name)
def test_rendered_overlay_matches_code(overlay: Path):
    """What `kustomize build` renders for an overlay still matches the code."""
    kustomize = df.kustomize_binary()
    if kustomize is None:
        pytest.skip("kustomize not installed: scripts/validate-deploy.sh installs it")
    docs = df.rendered_k8s_documents(overlay, kustomize)
    containers = df.k8s_containers(docs)
    assert {c.service for c in containers} - {None} == set(SERVICES)
    problems = partition_problems(containers)
    for c in containers:
        if c.service is None:
            problems += command_problems(c, strict_env=False)
            continue
        try:
            facts = service_facts(c.service)
        except MissingService:
            continue  # its own test_k8s_base_workload_matches_code[...] skips with the reason
        problems += container_problems(c, facts, known_variables())
    for name, selector, ports in df.k8s_service_targets(docs):
        problems += [
            f"Service {name}: targetPort {p} is no container port of its pods"
            for p in ports
            if p not in df.pod_port_names(docs, selector)
        ]
    assert not problems, "\n".join(problems)


def test_a_service_not_written_yet_is_reported_missing():
    """A missing service module raises MissingService (the tests skip), not a silent pass."""
    with pytest.raises(MissingService, match="does not exist yet"):
        import_service_module("services.not_written_yet.config")


def test_k8s_feed_list_loads_with_ingest():
    """The feeds.toml mounted into ingest parses with ingest's own loader."""
    facts_or_skip("ingest")
    from services.ingest.poller import load_feeds

    feeds = load_feeds(df.K8S / "base" / "feeds.toml")
    assert feeds, "deploy/k8s/base/feeds.toml lists no feed ingest can read"
    assert all(feed.url.startswith("https://") for feed in feeds)
