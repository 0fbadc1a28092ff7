"""A real Ray 2.60 head on loopback started without authentication, as `ray start --head` starts
when no token exists: Director refuses it by default, with how to turn authentication on, and
uses it only with --allow-unauthenticated, which the job's recipe records."""

from __future__ import annotations

import pytest

from director.cli import main
from director.engine.ray_auth import Probe, Transport, find_token, probe
from director.store.jobs import job_recipe
from director.store.project import Project

from .test_ray_auth_cluster import _generate, started_heads

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clusters(tmp_path_factory):
    with started_heads(tmp_path_factory, ("open",)) as out:
        yield out


def test_the_clusters_own_servers_say_they_do_not_enforce_authentication(clusters):
    gcs, client, _ = clusters["open"]
    for address in (gcs, client):
        # Answered without a token: the token this machine has is never sent there.
        assert probe(address, find_token(), Transport(False)) == Probe(enforced=False, accepted=None)


def test_an_unauthenticated_cluster_is_refused_by_default(clusters, capsys):
    gcs, client, _ = clusters["open"]
    for address in (client, gcs):
        assert main(["engine", "check", "--engine", address]) == 1
        err = capsys.readouterr().err
        assert "does not require authentication" in err and "RAY_AUTH_MODE=token" in err and "--allow-unauthenticated" in err


def test_a_job_on_an_allowed_unauthenticated_cluster_records_it(clusters, shot_project, capsys):
    film = str(shot_project.path)
    shot_project.close()
    _, client, _ = clusters["open"]
    assert _generate(film, "--engine", client) == 1
    assert "does not require authentication" in capsys.readouterr().err
    assert _generate(film, "--engine", client, "--allow-unauthenticated") == 0, capsys.readouterr().err
    capsys.readouterr()
    with Project.open(film, readonly=True) as project:
        job_id = project.db.execute("SELECT max(id) FROM jobs").fetchone()[0]
        recipe = job_recipe(project, job_id)
    assert recipe.run.unauthenticated_cluster
    assert recipe.run.cluster == {"engine": "ray", "address": client, "authentication": "none (unauthenticated cluster)", "tls": False}
