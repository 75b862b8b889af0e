"""What the deploy files name: commands, ports, variables and HTTP endpoints of each container.

docker-compose.yml and the Kubernetes manifests are reduced to one shape, ``Container``, so the
drift checks are written once for both.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = sorted(p for p in (K8S / "overlays").iterdir() if p.is_dir())
TOOLS_BIN = (
    Path(os.environ.get("NEWSBRIEF_TOOLS_DIR", Path.home() / ".cache/newsbrief/deploy-tools"))
    / "bin"
)

_INTERPOLATION = re.compile(r"\$\{(\w+)(?::?-([^}]*))?\}")
_URL = re.compile(r"https?://[^/:'\"\s]+:(\d+)(/[^'\"\s)]*)")


@dataclass
class Endpoint:
    """An HTTP endpoint a deploy file expects a container to answer."""

    port: int
    path: str
    what: str


@dataclass
class Container:
    """One newsbrief container as a deploy file declares it."""

    where: str
    args: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ports: set[int] = field(default_factory=set)
    endpoints: list[Endpoint] = field(default_factory=list)

    @property
    def service(self) -> str | None:
        """The service it runs (``newsbrief serve <service>``), if any."""
        return self.args[1] if len(self.args) > 1 and self.args[0] == "serve" else None


def interpolate(text: str) -> str:
    """Resolve compose ``${VAR:-default}`` references to their defaults (CI has no .env)."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", text)


def compose_file() -> dict:
    """docker-compose.yml with its defaults interpolated and YAML merge keys applied."""
    return yaml.safe_load(interpolate(COMPOSE_FILE.read_text()))


def compose_variables() -> set[str]:
    """Names of the variables docker-compose.yml interpolates."""
    return {m.group(1) for m in _INTERPOLATION.finditer(COMPOSE_FILE.read_text())}


def env_file(path: Path) -> dict[str, str]:
    """KEY=value lines of a dotenv file (comments and blanks skipped)."""
    pairs = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def uses_newsbrief_image(service: dict) -> bool:
    """A compose service built from deploy/Dockerfile (the newsbrief image)."""
    build = service.get("build") or {}
    return isinstance(build, dict) and build.get("dockerfile") == "deploy/Dockerfile"


def compose_containers() -> list[Container]:
    """The compose services that run a `newsbrief` command."""
    containers = []
    for name, spec in compose_file()["services"].items():
        if not uses_newsbrief_image(spec) or "entrypoint" in spec:
            continue
        env = {key: str(value) for key, value in (spec.get("environment") or {}).items()}
        ports = {int(str(p).rsplit(":", 1)[-1].split("/")[0]) for p in spec.get("ports", [])}
        test = " ".join(map(str, (spec.get("healthcheck") or {}).get("test", [])))
        endpoints = [Endpoint(int(port), path, "healthcheck") for port, path in _URL.findall(test)]
        args = [str(a) for a in spec.get("command", [])]
        containers.append(Container(f"docker-compose.yml {name}", args, env, ports, endpoints))
    return containers


def raw_k8s_documents(root: Path = K8S) -> list[dict]:
    """Every resource under root as written, before kustomize (default: base and overlays)."""
    docs = []
    for path in sorted(root.rglob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return docs


def k8s_generated_env() -> dict[str, str]:
    """Variables in the env files that kustomize turns into ConfigMaps (base, then overlays)."""
    env: dict[str, str] = {}
    for path in sorted(K8S.rglob("*.env")):
        env.update(env_file(path))
    return env


def kustomize_binary() -> str | None:
    """kustomize on PATH or where scripts/validate-deploy.sh installs it.

    On a fresh machine with Go, the script installs it first, so a clean run checks the
    overlays instead of skipping them; without Go there is nothing to build it with.
    """
    installed = TOOLS_BIN / "kustomize"
    if not (shutil.which("kustomize") or installed.is_file()) and shutil.which("go"):
        script = ROOT / "scripts" / "validate-deploy.sh"
        subprocess.run(["bash", str(script), "install"], check=True, stdin=subprocess.DEVNULL)
    return shutil.which("kustomize") or (str(installed) if installed.is_file() else None)


def rendered_k8s_documents(overlay: Path, kustomize: str) -> list[dict]:
    """The resources `kustomize build` renders for one overlay."""
    out = subprocess.run(
        [kustomize, "build", str(overlay)], capture_output=True, text=True, check=True
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def config_variables(docs: list[dict]) -> dict[str, str]:
    """Keys of every ConfigMap and Secret (data that env-sourced variables may come from)."""
    env: dict[str, str] = {}
    for values in config_sources(docs).values():
        env.update(values)
    return env


def config_sources(docs: list[dict]) -> dict[str, dict[str, str]]:
    """Each ConfigMap's and Secret's name with its keys."""
    sources = {}
    for doc in docs:
        if doc.get("kind") in ("ConfigMap", "Secret"):
            values = {}
            for section in ("data", "stringData"):
                values.update({k: str(v) for k, v in (doc.get(section) or {}).items()})
            sources[doc["metadata"]["name"]] = values
    return sources


def k8s_containers(
    docs: list[dict], generated: dict[str, dict[str, str]] | None = None
) -> list[Container]:
    """The containers of every Deployment and Job, with the variables their envFrom gives them.

    ``generated`` adds sources kustomize would generate (for the files as written).
    """
    sources = {**config_sources(docs), **(generated or {})}
    containers = []
    for doc in docs:
        if doc.get("kind") not in ("Deployment", "Job"):
            continue
        pod = doc["spec"]["template"]
        annotations = pod.get("metadata", {}).get("annotations") or {}
        for spec in pod["spec"]["containers"]:
            containers.append(_k8s_container(doc, spec, annotations, sources))
    return containers


def _k8s_container(doc: dict, spec: dict, annotations: dict, sources: dict) -> Container:
    where = f"{doc['kind']} {doc['metadata']['name']} container {spec['name']}"
    named = {p["name"]: p["containerPort"] for p in spec.get("ports", []) if "name" in p}
    env: dict[str, str] = {}
    for ref in spec.get("envFrom", []):
        source = ref.get("configMapRef") or ref.get("secretRef")
        env.update(sources.get(source["name"], {}))
    env.update({e["name"]: str(e.get("value", "")) for e in spec.get("env", [])})
    endpoints = []
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        http = (spec.get(probe) or {}).get("httpGet")
        if http:
            port = named.get(http["port"], http["port"])
            endpoints.append(Endpoint(int(port), http["path"], probe))
    if "prometheus.io/path" in annotations:
        port = int(annotations.get("prometheus.io/port", 0))
        endpoints.append(Endpoint(port, annotations["prometheus.io/path"], "prometheus scrape"))
    ports = {p["containerPort"] for p in spec.get("ports", [])}
    return Container(where, [str(a) for a in spec.get("args", [])], env, ports, endpoints)


def k8s_service_targets(docs: list[dict]) -> list[tuple[str, dict, list[str]]]:
    """(Service name, its selector, its target ports) for every Service."""
    return [
        (
            doc["metadata"]["name"],
            doc["spec"].get("selector", {}),
            [str(p.get("targetPort", p["port"])) for p in doc["spec"]["ports"]],
        )
        for doc in docs
        if doc.get("kind") == "Service"
    ]


def pod_port_names(docs: list[dict], selector: dict) -> set[str]:
    """Names and numbers of the container ports of the pods a selector matches."""
    found = set()
    for doc in docs:
        if doc.get("kind") != "Deployment":
            continue
        labels = doc["spec"]["template"]["metadata"].get("labels", {})
        if selector and all(labels.get(k) == v for k, v in selector.items()):
            for spec in doc["spec"]["template"]["spec"]["containers"]:
                for port in spec.get("ports", []):
                    found.update({str(port["containerPort"]), port.get("name", "")})
    return found
