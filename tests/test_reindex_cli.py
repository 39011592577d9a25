"""``scripts/reindex`` as staff run it: summary, rejected records, exit codes, modes."""

import datetime as dt
import json
import os
import subprocess

from index.config import PROJECT_ROOT
from index.store import IndexStore

from .helpers import release, write_jsonl

SCRIPT = PROJECT_ROOT / "scripts" / "reindex"


def run(*args, env=None):
    return subprocess.run(
        [str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})}
    )


def test_summary_and_exit_0_when_everything_goes_in(tmp_path):
    source = write_jsonl(
        tmp_path / "a.jsonl",
        [release(id="a"), release(id="b", lang="es", title="Título", body="Personas trabajadoras migrantes.")],
    )
    done = run(source, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "read 2 releases from 1 file" in done.stdout
    assert "added 2, updated 0, deleted 0, unchanged 0, rejected 0" in done.stdout
    assert "generation gen-000001 is live" in done.stdout
    assert "releases/s" in done.stdout


def test_rejected_records_named_with_file_and_line_rest_indexed_exit_1(tmp_path):
    good = release(id="good")
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                "{not json",
                json.dumps(release(id="nobody", body="")),
                json.dumps(release(id="good")),
                json.dumps(release(id="bad-country", countries=["XX"])),
                json.dumps(release(id="other")),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    done = run(path, "--index", tmp_path / "ix")
    assert done.returncode == 1
    err = done.stderr
    assert f"rejected: {path}:2: invalid JSON" in err
    assert f"rejected: {path}:3: required field empty: body" in err
    assert f"rejected: {path}:4: duplicate id 'good' (first at {path}:1)" in err
    assert f"rejected: {path}:5: unknown country code: XX" in err
    with IndexStore(tmp_path / "ix").open().searcher() as s:
        assert sorted(d["id"] for d in s.documents()) == ["good", "other"]


def test_usage_errors_exit_2(tmp_path):
    assert run().returncode == 2
    assert run("--full", "--incremental", tmp_path).returncode == 2
    assert run("--rollback", tmp_path).returncode == 2


def test_missing_source_is_named(tmp_path):
    done = run(tmp_path / "nope.jsonl", "--index", tmp_path / "ix")
    assert done.returncode == 3  # nothing at all could be read: no index is made of nothing
    assert "nope.jsonl:0: no such file or folder" in done.stderr


def test_check_and_dry_run_write_nothing(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", [release(id="a")])
    checked = run(source, "--index", tmp_path / "ix", "--check")
    assert checked.returncode == 0 and "nothing written" in checked.stdout
    dry = run(source, "--index", tmp_path / "ix", "--dry-run")
    assert dry.returncode == 0 and "a full reindex would have added 1, updated 0" in dry.stdout
    assert IndexStore(tmp_path / "ix").current_name() is None


def test_a_dry_run_names_the_releases_it_would_delete_update_and_add(tmp_path):
    """It gave counts only: staff comparing before an incremental reindex, which deletes every
    release its sources do not name, could not tell which releases they would lose."""
    records = [release(id=f"r{n:02d}", body=f"Release number {n} about migrant workers.") for n in range(30)]
    run(write_jsonl(tmp_path / "all.jsonl", records), "--index", tmp_path / "ix", "--quiet")
    kept = [records[0], {**records[1], "title": "A changed title"}, release(id="new", body="A new release.")]
    dry = run(write_jsonl(tmp_path / "some.jsonl", kept), "--index", tmp_path / "ix", "--incremental", "--dry-run")
    assert dry.returncode == 0 and "an incremental reindex would have added 1, updated 1, deleted 28" in dry.stdout
    deleted = next(line for line in dry.stdout.splitlines() if line.startswith("would delete: "))
    assert deleted.startswith("would delete: r02, r03, ") and deleted.endswith(" … and 8 more")
    assert len(deleted.removeprefix("would delete: ").split(" … ")[0].split(", ")) == 20
    assert "would update: r01" in dry.stdout.splitlines() and "would add: new" in dry.stdout.splitlines()
    assert IndexStore(tmp_path / "ix").current_name() == "gen-000001"


def test_incremental_rollback_and_plain_progress(tmp_path):
    records = [release(id=f"r{n}", body=f"Release number {n} about migrant workers.") for n in range(250)]
    source = write_jsonl(tmp_path / "a.jsonl", records)
    first = run(source, "--index", tmp_path / "ix")
    assert first.returncode == 0
    assert "indexing: 250/250" in first.stderr  # plain progress lines when not on a terminal
    records[3]["title"] = "A changed title"
    write_jsonl(source, records[:-1])
    second = run(source, "--index", tmp_path / "ix", "--incremental")
    assert "added 0, updated 1, deleted 1, unchanged 248" in second.stdout
    assert "incremental reindex: generation gen-000002 is live" in second.stdout
    back = run("--rollback", "--index", tmp_path / "ix")
    assert back.returncode == 0 and "gen-000001 is live again" in back.stdout
    assert IndexStore(tmp_path / "ix").current_name() == "gen-000001"


def test_index_dir_from_environment(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", [release(id="a")])
    done = run(source, env={"INDEX_DIR": str(tmp_path / "from-env")})
    assert done.returncode == 0
    assert IndexStore(tmp_path / "from-env").current_name() == "gen-000001"


def test_a_source_that_cannot_be_read_deletes_nothing(tmp_path):
    """An incremental run over a folder whose part is now a link to nothing, or with a
    mistyped path, would have taken their releases off the site: it names them and writes
    nothing; the dry run says so, and a full rebuild refuses alike (it published the loss)."""
    folder = tmp_path / "releases"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [release(id="a")])
    other = write_jsonl(tmp_path / "b.jsonl", [release(id="b", title="Another release about migrant workers")])
    (folder / "c.jsonl").symlink_to(other)
    assert run(folder, "--index", tmp_path / "ix").returncode == 0
    before = IndexStore(tmp_path / "ix").current_name()
    other.unlink()  # c.jsonl now leads nowhere
    done = run(folder, "--index", tmp_path / "ix", "--incremental")
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"{folder / 'c.jsonl'}:0: a link to nothing" in done.stderr
    assert "1 release would be deleted, but 1 source could not be read" in done.stderr
    assert IndexStore(tmp_path / "ix").current_name() == before
    mistyped = run(folder, tmp_path / "no-such-folder", "--index", tmp_path / "ix", "--incremental", "--dry-run")
    assert "would be deleted, but 2 sources could not be read" in mistyped.stdout + mistyped.stderr
    full = run(folder, "--index", tmp_path / "ix")  # a full rebuild, the default, alike
    assert full.returncode == 3 and "1 release would be deleted" in full.stderr, full.stdout + full.stderr
    assert IndexStore(tmp_path / "ix").current_name() == before
    (folder / "c.jsonl").unlink()  # gone on purpose: deleted
    done = run(folder, "--index", tmp_path / "ix", "--incremental")
    assert done.returncode == 0 and "deleted 1" in done.stdout, done.stdout + done.stderr


def test_a_folder_that_cannot_be_listed_is_named(tmp_path, monkeypatch):
    from index.readers import source_files

    (tmp_path / "locked").mkdir()
    write_jsonl(tmp_path / "a.jsonl", [release(id="a")])
    listed = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return listed(path)

    monkeypatch.setattr(os, "scandir", scandir)
    files, problems = source_files([tmp_path])
    assert [f.name for f, _ in files] == ["a.jsonl"]
    assert [(p.source, p.reason) for p in problems] == [
        (str(tmp_path / "locked"), "cannot read folder: Permission denied")
    ]


def test_files_in_hidden_folders_are_read_and_links_of_other_types_ignored(tmp_path):
    from index.readers import source_files

    (tmp_path / ".drafts").mkdir()
    write_jsonl(tmp_path / ".drafts" / "b.jsonl", [release(id="b")])
    write_jsonl(tmp_path / "a.jsonl", [release(id="a")])
    (tmp_path / ".hidden.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "notes.md").symlink_to(tmp_path / "nothing.md")  # never read: no rejection
    files, problems = source_files([tmp_path])
    assert [f.relative_to(tmp_path).as_posix() for f, _ in files] == [".drafts/b.jsonl", "a.jsonl"]
    assert problems == []


def test_a_dry_run_on_a_new_index_folder_writes_nothing(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", [release(id="a"), release(id="b", title="Another migrants release")])
    done = run(source, "--index", tmp_path / "new-index", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "added 2" in done.stdout and "nothing written" in done.stdout
    assert not (tmp_path / "new-index").exists()


def test_a_release_dated_far_ahead_is_warned_of_on_every_run(tmp_path):
    ahead = dt.date.today() + dt.timedelta(days=400)
    soon = dt.date.today() + dt.timedelta(days=3)  # an embargoed release, due shortly
    source = write_jsonl(
        tmp_path / "a.jsonl",
        [release(id="a"), release(id="b", date=ahead.isoformat()), release(id="c", date=soon.isoformat())],
    )
    for mode in ("--full", "--incremental"):
        done = run(source, "--index", tmp_path / "ix", mode, "--quiet")
        assert done.returncode == 0, done.stderr  # indexed all the same
        warned = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
        assert warned == [f"warning: {source}:2: dated {ahead.isoformat()}, in the future: is the year right?"]


SPANISH_BODY = (
    "Las remesas enviadas a Guatemala crecieron este año, según las familias de los migrantes que "
    "viven en los Estados Unidos y que envían dinero para la comida y la escuela de sus hijos."
)


def test_a_text_in_the_other_language_than_declared_is_warned_of(tmp_path):
    source = write_jsonl(
        tmp_path / "a.jsonl",
        [
            release(id="right"),
            release(id="wrong", lang="en", title="Crecen las remesas enviadas a Guatemala", body=SPANISH_BODY),
            # A Spanish title over an English text: the language declared is the text's.
            release(
                id="title",
                lang="en",
                title="Crecen las remesas enviadas a Guatemala",
                body="Remittances sent to Guatemala grew this year, say the families of migrants in the United States.",
            ),
            # one sentence: it went unsaid
            release(
                id="short",
                lang="en",
                date="2020-01-10",
                title="La OIM apoya a migrantes retornados en Guatemala",
                body="La OIM apoya a las personas migrantes retornadas en Guatemala con atención psicosocial.",
            ),
        ],
    )
    done = run(source, "--index", tmp_path / "ix", "--quiet")
    assert done.returncode == 0, done.stderr
    warned = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert warned == [
        f"warning: {source}:{line}: declared English ('en') but its text reads as Spanish: "
        "is its language right? It is indexed as declared"
        for line in (2, 4)
    ]
    with IndexStore(tmp_path / "ix").open().searcher() as searcher:
        assert searcher.document(id="wrong")["lang"] == "en"


def test_a_file_reached_twice_is_read_once(tmp_path):
    folder = tmp_path / "releases"
    folder.mkdir()
    source = write_jsonl(folder / "b.jsonl", [release(id="a"), release(id="b", date="2020-05-05")])
    (folder / "a-latest.jsonl").symlink_to(source)  # a link beside its target, sorted first
    done = run(folder, source, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "read 2 releases from 1 file" in done.stdout and "rejected 0" in done.stdout
    manifest = IndexStore(tmp_path / "ix").manifest(IndexStore(tmp_path / "ix").current_name())
    assert manifest["sources"] == [str(source)]


def test_a_folder_linked_inside_a_source_folder_is_read(tmp_path):
    """A link to a folder of releases inside a source folder was passed over in silence, and an
    incremental run deleted its releases. A link up the tree (to the folder itself, or above it)
    is not walked: it would read the folder again, or folders never named."""
    archive = tmp_path / "archive"
    archive.mkdir()
    write_jsonl(archive / "a.jsonl", [release(id="a"), release(id="b", date="2020-05-05")])
    sources = tmp_path / "sources"
    sources.mkdir()
    write_jsonl(sources / "c.jsonl", [release(id="c", date="2021-05-05")])
    (sources / "archive").symlink_to(archive)
    (sources / "loop").symlink_to(sources)
    (sources / "up").symlink_to(tmp_path)  # holds "archive" and "sources" both
    done = run(sources, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "read 3 releases from 2 files" in done.stdout and "rejected 0" in done.stdout
    manifest = IndexStore(tmp_path / "ix").manifest(IndexStore(tmp_path / "ix").current_name())
    assert manifest["sources"] == [str(sources / "archive" / "a.jsonl"), str(sources / "c.jsonl")]
    again = run(sources, "--index", tmp_path / "ix", "--incremental")
    assert again.returncode == 0 and "deleted 0" in again.stdout, again.stdout


def test_a_hard_link_to_a_file_named_too_is_read_once(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", [release(id="a"), release(id="b", date="2020-05-05")])
    other = tmp_path / "other"
    other.mkdir()
    os.link(source, other / "same.jsonl")
    done = run(source, other, "--index", tmp_path / "ix")
    assert done.returncode == 0, done.stderr
    assert "read 2 releases from 1 file" in done.stdout and "rejected 0" in done.stdout
