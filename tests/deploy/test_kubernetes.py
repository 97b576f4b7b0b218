"""deploy/kubernetes/: schema-valid (offline, kubernetes-validate's bundled schemas) and wired together."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from .support import APP_ENV, DEPLOY, command_path, design_env_names, load_all, parse_cli, require_subcommand

K8S = DEPLOY / "kubernetes"
# The oldest Kubernetes still commonly run, and a recent one: both ship with kubernetes-validate.
VERSIONS = ("1.30", "1.35")


def _docs() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, doc) for path in sorted(K8S.glob("*.yaml")) for doc in load_all(path)]


def _by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in _docs() if doc["kind"] == kind}


def _workloads() -> list[dict[str, Any]]:
    return [*_by_kind("Deployment").values(), *_by_kind("Job").values()]


def _containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    return list(workload["spec"]["template"]["spec"]["containers"])


@pytest.mark.parametrize("version", VERSIONS)
def test_manifests_validate_against_the_kubernetes_schemas(version: str) -> None:
    kinds = set()
    for path, doc in _docs():
        if doc.get("apiVersion", "").startswith("kustomize.config.k8s.io/"):
            continue
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{path.name}: {doc['kind']}/{doc['metadata']['name']}: {exc.message} at {list(exc.path)}")
        kinds.add(doc["kind"])
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "Job", "ConfigMap", "Secret"} <= kinds


def test_kustomization_lists_existing_files() -> None:
    (kustomization,) = load_all(K8S / "kustomization.yaml")
    for resource in kustomization["resources"]:
        assert (K8S / resource).is_file(), resource
    assert "secret.example.yaml" not in kustomization["resources"], "placeholders are never applied by default"


@pytest.mark.parametrize(("name", "expected"), [("slopguard-web", ("serve",)), ("slopguard-worker", ("worker",)),
                                                ("slopguard-migrate", ("db", "upgrade"))])
def test_args_are_cli_subcommands(name: str, expected: tuple[str, ...]) -> None:
    require_subcommand(expected)
    workload = {**_by_kind("Deployment"), **_by_kind("Job")}[name]
    (container,) = _containers(workload)
    assert "command" not in container, "the image's ENTRYPOINT (slopguard) runs the args"
    args = parse_cli(container["args"])
    assert command_path(args) == expected
    if expected == ("serve",):
        assert args.host == "0.0.0.0"
        assert args.port == container["ports"][0]["containerPort"]


def test_web_probes() -> None:
    (container,) = _containers(_by_kind("Deployment")["slopguard-web"])
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["port"] in ("http", container["ports"][0]["containerPort"])


def test_service_and_autoscaler_target_the_web_pods() -> None:
    web = _by_kind("Deployment")["slopguard-web"]
    labels = web["spec"]["template"]["metadata"]["labels"]
    service = _by_kind("Service")["slopguard-web"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    hpa = _by_kind("HorizontalPodAutoscaler")["slopguard-web"]
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "slopguard-web"}
    assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def test_resources_and_security_context() -> None:
    for workload in _workloads():
        pod = workload["spec"]["template"]["spec"]
        name = workload["metadata"]["name"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        for container in _containers(workload):
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), name
            ctx = container["securityContext"]
            assert ctx["readOnlyRootFilesystem"] is True and ctx["allowPrivilegeEscalation"] is False, name
            assert ctx["capabilities"]["drop"] == ["ALL"], name
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            volumes = {v["name"]: v for v in pod["volumes"]}
            for path in ("/tmp", _config()["SLOPGUARD_WORKDIR"]):
                assert path in mounts and "emptyDir" in volumes[mounts[path]], f"{name}: {path} is not writable"


def _config() -> dict[str, str]:
    return dict(_by_kind("ConfigMap")["slopguard-config"]["data"])


def _secret_keys() -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    for name, secret in _by_kind("Secret").items():
        keys[name] = set(secret.get("stringData", {})) | set(secret.get("data", {}))
    return keys


def test_environment_references_resolve() -> None:
    config, secrets = _config(), _secret_keys()
    for workload in _workloads():
        for container in _containers(workload):
            names = {e["name"] for e in container["env"]}
            documented = design_env_names() or APP_ENV
            assert names <= documented, f"not in docs/design.md's App contract: {sorted(names - documented)}"
            for entry in container["env"]:
                source = entry.get("valueFrom", {})
                if "secretKeyRef" in source:
                    ref = source["secretKeyRef"]
                    assert ref["key"] in secrets[ref["name"]], ref
                elif "configMapKeyRef" in source:
                    assert source["configMapKeyRef"]["key"] in config
    assert set(config) <= APP_ENV


def test_private_key_is_mounted_where_the_config_points() -> None:
    key_path = Path(_config()["SLOPGUARD_PRIVATE_KEY_PATH"])
    for name in ("slopguard-web", "slopguard-worker"):
        deployment = _by_kind("Deployment")[name]
        (container,) = _containers(deployment)
        mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
        volume = next(v for v in deployment["spec"]["template"]["spec"]["volumes"] if "secret" in v)
        assert mounts[volume["name"]] == str(key_path.parent)
        assert key_path.name in _secret_keys()[volume["secret"]["secretName"]]


def test_secret_example_holds_only_placeholders() -> None:
    for secret in _by_kind("Secret").values():
        for key, value in secret["stringData"].items():
            assert not value or "CHANGE-ME" in value, f"{key}: a placeholder, not a value"
