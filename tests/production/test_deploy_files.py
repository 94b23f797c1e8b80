"""deploy/ cannot run here (no container engine, no cluster): its files are checked against the local production
profile instead, so the two cannot drift apart. bot/ops/production.py and endpoints.production.yml are the source."""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from bot.common import settings
from bot.ops.production import (
    ACTION_PORT,
    ENDPOINTS,
    PROFILE_ENV,
    RASA_PORT,
    WEB_PORT,
    endpoint_variables,
    nginx_binary,
    nginx_config,
)
from bot.ops.stack import actions_command, notifier_command, rasa_command, web_command

ROOT = settings.ROOT
DEPLOY = ROOT / "deploy"
IMAGE_BIN = Path("/usr/local/bin")  # python:3.10-slim: python, and the scripts pip installs (rasa)
MODEL = Path("models/wegwijzer.tar.gz")

# What each Deployment must run: the local profile's own commands, as the image has them.
COMMANDS = {
    "wegwijzer-rasa": rasa_command(MODEL, RASA_PORT, ENDPOINTS, host="0.0.0.0", bin_dir=IMAGE_BIN),
    "wegwijzer-actions": actions_command(ACTION_PORT, bin_dir=IMAGE_BIN),
    "wegwijzer-web": web_command(WEB_PORT, host="0.0.0.0", bin_dir=IMAGE_BIN),
    "wegwijzer-notifier": notifier_command(bin_dir=IMAGE_BIN),
}
PORTS = {"wegwijzer-rasa": RASA_PORT, "wegwijzer-actions": ACTION_PORT, "wegwijzer-web": WEB_PORT}


def manifests() -> List[Dict[str, Any]]:
    documents = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    return documents


def by_kind(kind: str) -> Dict[str, Dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in manifests() if d["kind"] == kind}


def provided_variables() -> Dict[str, str]:
    config = by_kind("ConfigMap")["wegwijzer-config"]["data"]
    secret = by_kind("Secret")["wegwijzer-secrets"]["stringData"]
    return {**config, **secret}


def test_every_manifest_is_a_kubernetes_object():
    documents = manifests()
    assert len(documents) >= 10
    for document in documents:
        assert {"apiVersion", "kind", "metadata"} <= set(document), document
        assert document["metadata"].get("name"), document


def test_deployments_run_the_local_profiles_commands_on_its_ports():
    deployments = by_kind("Deployment")
    assert set(deployments) == set(COMMANDS)
    assert deployments["wegwijzer-rasa"]["spec"]["replicas"] == settings.INSTANCES == 2
    assert deployments["wegwijzer-actions"]["spec"]["replicas"] == settings.INSTANCES
    for name, deployment in deployments.items():
        spec = deployment["spec"]
        assert spec["selector"]["matchLabels"] == spec["template"]["metadata"]["labels"]
        (container,) = spec["template"]["spec"]["containers"]
        assert container["command"] == COMMANDS[name], name
        if name in PORTS:
            assert [p["containerPort"] for p in container["ports"]] == [PORTS[name]]
        refs = [next(iter(ref.values()))["name"] for ref in container["envFrom"]]
        assert refs == ["wegwijzer-config", "wegwijzer-secrets"], name


def test_services_and_ingress_reach_the_right_pods():
    deployments, services = by_kind("Deployment"), by_kind("Service")
    for name, service in services.items():
        labels = deployments[name]["spec"]["template"]["metadata"]["labels"]
        assert service["spec"]["selector"] == labels
        assert [p["targetPort"] for p in service["spec"]["ports"]] == [PORTS[name]]
    ingress = by_kind("Ingress")["wegwijzer"]
    # socket.io keeps a session on one Rasa server: sticky, as ip_hash is in the local nginx.
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    routes = {p["path"]: p["backend"]["service"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
    assert routes["/webhooks/"] == routes["/socket.io/"] == {"name": "wegwijzer-rasa", "port": {"number": RASA_PORT}}
    assert routes["/"] == {"name": "wegwijzer-web", "port": {"number": WEB_PORT}}


def test_config_gives_every_variable_the_production_profile_reads():
    provided = provided_variables()
    # Rasa's ${…} in endpoints.production.yml; a missing one stops Rasa at start.
    assert set(endpoint_variables()) <= set(provided)
    assert {"DATABASE_URL", "TRACKER_DB", "WW_WEB_SECRET_KEY"} <= set(provided)
    assert {k: provided[k] for k in PROFILE_ENV} == PROFILE_ENV
    assert provided["ACTION_ENDPOINT_URL"] == f"http://wegwijzer-actions:{ACTION_PORT}/webhook"
    assert provided["REDIS_KEY_PREFIX"].isalnum()
    assert "WW_WEB_DEV" not in provided, "the cluster serves https: session cookies keep the Secure flag"


def test_jobs_run_real_commands():
    for kind in ("Job", "CronJob"):
        for job in by_kind(kind).values():
            pod = job["spec"]["template"] if kind == "Job" else job["spec"]["jobTemplate"]["spec"]["template"]
            for container in pod["spec"].get("initContainers", []) + pod["spec"]["containers"]:
                command = container["command"]
                assert command[:2] == [str(IMAGE_BIN / "python"), "-m"]
                assert importlib.util.find_spec(command[2]) is not None
                area = command[3]
                from bot.__main__ import AREAS

                assert area in AREAS, command
                result = subprocess.run(
                    [str(Path(__import__("sys").executable)), "-m", "bot", area, "--help"],
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                assert command[4] in result.stdout, command


def dockerfile() -> List[str]:
    """The Dockerfile's instructions, continuation lines joined."""
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_dockerfile_builds_from_python_310_slim_with_pinned_requirements_and_copies_real_files():
    lines = dockerfile()
    assert lines[0] == "FROM python:3.10-slim"
    assert any(re.search(r"pip install -r requirements\.txt -c constraints\.txt", line) for line in lines)
    for line in lines:
        if line.startswith("COPY "):
            *sources, _target = shlex.split(line[len("COPY ") :])
            for source in sources:
                assert (ROOT / source).exists(), f"{source} (COPY in deploy/Dockerfile)"
    assert "endpoints.production.yml" in " ".join(lines)
    assert any(line.startswith("USER ") and "root" not in line for line in lines), "not root"


def test_dockerfile_default_command_is_the_assistant_and_every_module_exists():
    cmd = next(line for line in dockerfile() if line.startswith("CMD "))
    assert json.loads(cmd[len("CMD ") :]) == COMMANDS["wegwijzer-rasa"]
    for command in COMMANDS.values():
        if "-m" in command:
            module = command[command.index("-m") + 1]
            assert importlib.util.find_spec(module) is not None, module
    for module in ("bot.rasa.lock_store", "bot.rasa.tracker_store"):  # named as types in endpoints.production.yml
        assert module in (ROOT / ENDPOINTS).read_text(encoding="utf-8")
        assert importlib.util.find_spec(module) is not None


def test_dockerignore_lets_every_copied_file_through():
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    copied = {
        source.rstrip("/")
        for line in dockerfile()
        if line.startswith("COPY ")
        for source in shlex.split(line[len("COPY ") :])[:-1]
    }
    assert copied <= allowed


def test_generated_nginx_config_passes_nginx_own_check(tmp_path: Path):
    if nginx_binary() is None:
        pytest.skip("nginx is niet geïnstalleerd (make test-deps installeert het)")
    for folder in ("logs", "temp"):
        (tmp_path / folder).mkdir()
    (tmp_path / "nginx.conf").write_text(
        nginx_config(tmp_path, 18000, [15005, 15006], 18080, 15050, [15055, 15056]), encoding="utf-8"
    )
    result = subprocess.run(
        [
            str(nginx_binary()),
            "-t",
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-e",
            str(tmp_path / "logs" / "error.log"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    config = (tmp_path / "nginx.conf").read_text(encoding="utf-8")
    assert "ip_hash;" in config and "proxy_set_header Upgrade $http_upgrade;" in config
