"""Readiness (``/readyz``) is not liveness (``/healthz``): a replica whose live generation is not
the one the indexing node published is alive but not ready; every answer names the generation
that made it (``X-Index-Generation``)."""

import shutil

import pytest

from index.publish import PUBLISHED
from index.store import IndexStore


@pytest.fixture
def replica(web_index, tmp_path, catalogs):
    """The site on its own copy of the test index (its PUBLISHED is changed here)."""
    from web import create_app

    root = tmp_path / "ix"
    shutil.copytree(web_index, root)
    app = create_app({"INDEX_DIR": str(root), "TESTING": True})
    return root, app.test_client()


def test_a_replica_on_the_published_generation_is_ready(replica):
    root, client = replica
    live = IndexStore(root).current_name()
    (root / PUBLISHED).write_text(live + "\n")
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ready", "generation": live, "published": live}
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_node_that_publishes_nothing_is_ready_with_an_index(replica):
    root, client = replica
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json["status"] == "ready" and answer.json["published"] is None


def test_a_replica_behind_the_published_generation_is_alive_but_not_ready(replica):
    root, client = replica
    live = IndexStore(root).current_name()
    (root / PUBLISHED).write_text("gen-999999\n")
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.json == {"status": "behind", "generation": live, "published": "gen-999999"}
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json["generation"] == live


def test_without_an_index_it_is_neither_alive_nor_ready(tmp_path, catalogs):
    from web import create_app

    client = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True}).test_client()
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json["status"] == "unready"
    assert str(tmp_path) not in answer.get_data(as_text=True)  # the log says where, not the answer
    assert "X-Index-Generation" not in answer.headers


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/readyz",
        "/en/",
        "/en/search?q=migrantes",
        "/api/v1/search?q=trata",
        "/en/search?year=abc",
        "/en/nothing-here",
    ],
)
def test_every_answer_names_the_generation_that_made_it(replica, path):
    root, client = replica
    answer = client.get(path)
    assert answer.headers["X-Index-Generation"] == IndexStore(root).current_name()


def test_the_header_follows_a_switch_of_generation(replica):
    root, client = replica
    store = IndexStore(root)
    first = store.current_name()
    assert client.get("/en/search?q=migrantes").headers["X-Index-Generation"] == first
    name, partial = store.start(base=first)
    store.publish(name, partial, store.manifest(first) | {"generation": name})
    assert client.get("/en/search?q=migrantes").headers["X-Index-Generation"] == name
