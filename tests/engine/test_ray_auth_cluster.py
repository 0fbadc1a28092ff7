"""A real Ray 2.60 head on loopback started with token authentication: Director asks the cluster's
own servers whether they enforce it, takes the cluster only with its token (refused, clearly, when
the token is missing or wrong, or in a file every user can read), and the token shows up nowhere
Director writes. The open cluster: test_ray_auth_open.py."""

from __future__ import annotations

import json
import logging
from contextlib import ExitStack, contextmanager

import pytest

from director.cli import main
from director.engine.ray_auth import ClusterRefused, Probe, Transport, check_cluster, find_token, probe
from director.store.jobs import job_recipe
from director.store.project import Project

from .test_ray_loopback import LOOPBACK_ENV, free_port, loopback_cluster

pytestmark = pytest.mark.slow

TOKEN = LOOPBACK_ENV["RAY_AUTH_TOKEN"]


@pytest.fixture(scope="module")
def clusters(tmp_path_factory):
    """{"secure": (gcs address, ray:// address, head log)}, stopped by its own id at the module's
    end (the open cluster has its own module, so the two never load the machine together)."""
    with started_heads(tmp_path_factory, ("secure",)) as out:
        yield out


@contextmanager
def started_heads(tmp_path_factory, names):
    """The named loopback heads ("secure": token authentication, "open": none), each waited for
    until its Ray Client server answers."""
    logs = tmp_path_factory.mktemp("ray")
    out = {}
    with ExitStack() as stack:
        for name in names:
            client_port = free_port()
            log = logs / f"{name}.log"
            gcs = stack.enter_context(loopback_cluster(num_cpus=1, log_path=log, client_port=client_port, auth=name == "secure"))
            out[name] = (gcs, f"ray://127.0.0.1:{client_port}", log)
        for _, client, _ in out.values():
            _wait_client_server(client)
        yield out


@pytest.fixture
def no_token(monkeypatch, tmp_path):
    """This machine without any token: no RAY_AUTH_TOKEN, no token file."""
    monkeypatch.delenv("RAY_AUTH_TOKEN", raising=False)
    monkeypatch.delenv("RAY_AUTH_TOKEN_PATH", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def _wait_client_server(address: str, timeout: float = 60.0) -> None:
    """The Ray Client server starts after the GCS port opens: wait until it answers."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            probe(address, None, Transport(False), timeout_s=2)
            return
        except ClusterRefused:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_the_clusters_own_servers_say_they_enforce_authentication_and_take_the_token(clusters):
    gcs, client, _ = clusters["secure"]
    for address in (gcs, client):
        assert probe(address, find_token(), Transport(False)) == Probe(enforced=True, accepted=True)
        assert probe(address, None, Transport(False)) == Probe(enforced=True, accepted=None)


def test_a_missing_token_is_refused_with_how_to_give_it(clusters, no_token, capsys):
    _, client, _ = clusters["secure"]
    assert main(["engine", "check", "--engine", client]) == 1
    err = capsys.readouterr().err
    assert "requires a token and Director has none" in err and "RAY_AUTH_TOKEN" in err and "~/.ray/auth_token" in err


def test_a_wrong_token_is_refused_and_never_quoted(clusters, no_token, monkeypatch, capsys):
    gcs, client, _ = clusters["secure"]
    wrong = "not-the-clusters-token-0123456789"
    monkeypatch.setenv("RAY_AUTH_TOKEN", wrong)
    for address in (client, gcs):
        assert main(["engine", "check", "--engine", address]) == 1
        captured = capsys.readouterr()
        assert "refused the token from the RAY_AUTH_TOKEN environment variable" in captured.err
        assert wrong not in captured.err + captured.out and TOKEN not in captured.err + captured.out


def test_the_right_token_in_a_private_file_is_accepted_and_a_world_readable_one_refused(clusters, no_token, monkeypatch, tmp_path):
    _, client, _ = clusters["secure"]
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    path.chmod(0o644)
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(path))
    with pytest.raises(ClusterRefused, match=f"chmod 600 {path}"):
        check_cluster(client)
    path.chmod(0o600)
    check = check_cluster(client)
    assert check.authenticated and check.token_source == f"the file {path}"


def test_engine_check_says_what_crosses_and_how(clusters, capsys):
    _, client, _ = clusters["secure"]
    assert main(["engine", "check", "--engine", client, "--timeout", "90"]) == 0
    out = capsys.readouterr().out
    assert "authentication: token authentication" in out and "RAY_AUTH_TOKEN environment variable" in out
    assert "transport: not encrypted (RAY_USE_TLS is not set), loopback" in out
    assert "sent to the cluster for each job:" in out and "the prompt text" in out and "input image or clip" in out
    assert "comes back:" in out and "kept on the cluster after a job: nothing" in out
    assert TOKEN not in out


def _generate(film, *extra):
    return main(["generate", film, "--shot", "12A", "--preset", "tiny-t2i", "--seed", "3", "--steps", "1",
                 "--size", "64x64", "--json", *extra])


def test_the_token_appears_nowhere_director_writes(clusters, shot_project, capsys, caplog, tmp_path):
    film = str(shot_project.path)
    shot_project.close()
    _, client, head_log = clusters["secure"]
    caplog.set_level(logging.DEBUG)
    assert _generate(film, "--engine", client) == 0
    generated = capsys.readouterr()
    assert TOKEN not in generated.out + generated.err
    take_id = json.loads(generated.out)[0]["takes"][0]["id"]
    with Project.open(film, readonly=True) as project:
        job_id = project.db.execute("SELECT max(id) FROM jobs").fetchone()[0]
        assert job_recipe(project, job_id).run.cluster["authentication"] == "token"
    exported = tmp_path / "exported"
    assert main(["export", "takes", film, "-o", str(exported), "--take", str(take_id)]) == 0
    export = capsys.readouterr()
    assert main(["take", "show", film, str(take_id), "--json"]) == 0
    show = capsys.readouterr()
    assert json.loads(show.out)["run"]["cluster"]["authentication"] == "token"
    # Everything this process printed and logged (Director's loggers and Ray's, at DEBUG), the
    # head's own output, and every file of the project, its media and the export.
    texts = {"export": export.out + export.err, "take show": show.out + show.err, "log": caplog.text, "head log": head_log.read_text()}
    for name, text in texts.items():
        assert TOKEN not in text, name
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in exported.rglob("*")), "the export wrote its sidecars"
    assert any(p.name.endswith(".director") for p in written) and len(written) > 4
    for path in written:
        assert TOKEN.encode() not in path.read_bytes(), path
