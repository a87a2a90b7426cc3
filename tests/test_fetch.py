"""`askme data fetch`: archives built here from the test fixtures, checked against a manifest
made for them, taken from disk, a file URL and a server on the loopback address (nothing here
touches the internet); a bad archive leaves the data folder as it was."""

import http.server
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from askme.errors import AskmeError
from askme.fetch import fetch_babi, load_manifest, manifest_entry

FIXTURES = Path(__file__).parent / "fixtures" / "babi"
TASK_1 = "qa1_single-supporting-fact_test.txt"
UNHASHED = "en-10k/qa1_single-supporting-fact_train.txt"  # checked by size and format


def fixture_files() -> dict[str, bytes]:
    """The fixtures as an archive's en/ and en-10k/ task files (the same files in both)."""
    return {f"{folder}/{path.name}": path.read_bytes()
            for folder in ("en", "en-10k") for path in sorted(FIXTURES.glob("qa*.txt"))}


def fixture_manifest(files: dict[str, bytes]) -> dict[str, dict]:
    """Digests of every file, except one checked by size and format only (as the package's
    manifest checks bAbI's 10k training file of task 3)."""
    manifest = {name: manifest_entry(data) for name, data in files.items()}
    size = len(files[UNHASHED])
    manifest[UNHASHED] = {"bytes": [size - 10, size + 10], "questions": 10}
    return manifest




def write_archive(path: Path, files: dict[str, bytes], root: str = "tasks_1-20_v1-2") -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{root}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        extra = b"not a task file"  # members the manifest does not name are left out
        info = tarfile.TarInfo(f"{root}/hn/qa1_x_test.txt")
        info.size = len(extra)
        tar.addfile(info, io.BytesIO(extra))
    return path


@pytest.fixture
def files():
    return fixture_files()


@pytest.fixture
def manifest(files):
    return fixture_manifest(files)


@pytest.fixture
def dest(tmp_path):
    """A data folder that already holds bAbI files, so that a failed fetch can be seen to
    leave them as they were."""
    folder = tmp_path / "home" / "babi"
    (folder / "en").mkdir(parents=True)
    (folder / "en" / TASK_1).write_text("1 an older copy.\n")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder.parent)): p.read_bytes()
            for p in sorted(folder.parent.rglob("*")) if p.is_file()}


def test_an_archive_on_disk_is_checked_and_replaces_the_folder(tmp_path, files, manifest, dest):
    archive = write_archive(tmp_path / "babi.tar.gz", files)
    kept = fetch_babi(dest, archive=archive, manifest=manifest)
    assert kept == sorted(files)
    assert {str(p.relative_to(dest)) for p in dest.rglob("*.txt")} == set(files)
    assert (dest / "en" / TASK_1).read_bytes() == (FIXTURES / TASK_1).read_bytes()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["babi"]  # no work files left


def test_en_alone_is_enough_but_a_partial_set_is_not(tmp_path, files, manifest, dest):
    only_en = {name: data for name, data in files.items() if name.startswith("en/")}
    kept = fetch_babi(dest, archive=write_archive(tmp_path / "en.tar.gz", only_en),
                      manifest=manifest)
    assert kept == sorted(only_en) and not (dest / "en-10k").exists()
    before = snapshot(dest)
    partial = {name: data for name, data in files.items()
               if name != "en-10k/qa8_lists-sets_train.txt"}
    with pytest.raises(AskmeError, match=r"has no en-10k/qa8_lists-sets_train.txt: it is "
                                         r"incomplete or not bAbI v1.2"):
        fetch_babi(dest, archive=write_archive(tmp_path / "partial.tar.gz", partial),
                   manifest=manifest)
    assert snapshot(dest) == before


@pytest.mark.parametrize("damage, message", [
    (lambda data: data[: len(data) // 2], "not a complete bAbI archive .*truncated or damaged"),
    (lambda data: b"\x1f\x8b" + bytes(200), "not a complete bAbI archive"),
    (lambda data: b"", r"not a complete bAbI archive \(not a tar archive, compressed or not\)"),
])
def test_a_damaged_archive_is_refused_and_nothing_changes(tmp_path, files, manifest, dest, damage,
                                                          message):
    good = write_archive(tmp_path / "good.tar.gz", files).read_bytes()
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(damage(good))
    before = snapshot(dest)
    with pytest.raises(AskmeError, match=message):
        fetch_babi(dest, archive=bad, manifest=manifest)
    assert snapshot(dest) == before


@pytest.mark.parametrize("name, change, message", [
    (f"en/{TASK_1}", lambda d: d.replace(b" to the ", b" into the ", 1), r"its SHA-256 differs"),
    (UNHASHED, lambda d: d + b"x" * 40, r"bytes, expected"),
    (UNHASHED, lambda d: d.replace(b"?\t", b"?\x00", 1),
     r"en-10k/qa1_single-supporting-fact_train.txt is not the official bAbI v1.2 file "
     r"\(.*:\d+: a question line needs"),
    (UNHASHED, lambda d: d[: d.rindex(b"\n", 0, -1) + 1] + b"5 Daniel is in the park.\n",
     r"\(9 questions, expected 10\)"),
])
def test_a_changed_task_file_is_refused_and_nothing_changes(tmp_path, files, manifest, dest, name,
                                                            change, message):
    changed = {**files, name: change(files[name])}
    assert changed[name] != files[name]
    before = snapshot(dest)
    with pytest.raises(AskmeError, match=message):
        fetch_babi(dest, archive=write_archive(tmp_path / "changed.tar.gz", changed),
                   manifest=manifest)
    assert snapshot(dest) == before


def test_a_file_url_downloads(tmp_path, files, manifest, dest):
    archive = write_archive(tmp_path / "babi.tar.gz", files)
    assert fetch_babi(dest, url=archive.as_uri(), manifest=manifest) == sorted(files)


class _Server(http.server.ThreadingHTTPServer):
    """Serves `body` at every path; `declared` is the Content-Length it claims (for a body
    that ends short)."""

    def __init__(self, body: bytes, declared: int | None = None, status: int = 200):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(status)
                self.send_header("Content-Length", str(declared or len(body)))
                self.end_headers()
                if status == 200:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/tasks_1-20_v1-2.tar.gz"
        threading.Thread(target=outer.serve_forever, daemon=True).start()

    def __exit__(self, *exc):
        self.shutdown()
        return super().__exit__(*exc)


def test_a_loopback_server_downloads_with_progress(tmp_path, files, manifest, dest):
    body = write_archive(tmp_path / "babi.tar.gz", files).read_bytes()
    seen = []
    with _Server(body) as server:
        kept = fetch_babi(dest, url=server.url, manifest=manifest,
                          progress=lambda done, total: seen.append((done, total)))
    assert kept == sorted(files)
    assert seen[-1] == (len(body), len(body)) and all(t == len(body) for _, t in seen)


@pytest.mark.parametrize("declared, status, message", [
    ("short", 200, r"the download stopped"),
    (None, 404, r"the server answered 404"),
])
def test_a_failed_download_is_one_line_and_nothing_changes(tmp_path, files, manifest, dest,
                                                            declared, status, message):
    body = write_archive(tmp_path / "babi.tar.gz", files).read_bytes()
    before = snapshot(dest)
    with _Server(body, declared=len(body) * 2 if declared else None, status=status) as server:
        with pytest.raises(AskmeError, match=message) as caught:
            fetch_babi(dest, url=server.url, manifest=manifest)
    assert "\n" not in str(caught.value)
    assert snapshot(dest) == before


def test_no_network_is_one_line(tmp_path, manifest, dest):
    with _Server(b"") as server:  # a port that was open a moment ago, now closed
        url = server.url
    with pytest.raises(AskmeError, match=r"cannot download \(.*\); check the network, or give a "
                                         r"mirror with --url or an archive on disk with --from"):
        fetch_babi(dest, url=url, manifest=manifest)


def run_askme(*args, home: Path, cwd: Path):
    env = {**os.environ, "ASKME_HOME": str(home)}
    env.pop("ASKME_BABI", None)
    return subprocess.run([sys.executable, "-m", "askme", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def test_the_command_refuses_an_archive_that_is_not_bAbI_v12(tmp_path, files):
    """The package's own manifest: the fixtures are not the official files."""
    archive = write_archive(tmp_path / "babi.tar.gz", files)
    result = run_askme("data", "fetch", "--from", str(archive), home=tmp_path / "home",
                       cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"askme: error: {archive}: en/qa1_single-supporting-fact_test.txt is "
                             "not the official bAbI v1.2 file (its SHA-256 differs); nothing was "
                             "installed\n")
    assert not (tmp_path / "home" / "babi").exists()
    both = run_askme("data", "fetch", "--from", str(archive), "--url", "x", home=tmp_path / "home",
                     cwd=tmp_path)
    assert (both.returncode, both.stderr) == (
        2, "askme: error: give --url or --from (one of the two)\n")


def test_eval_finds_the_fetched_tasks_without_data(tmp_path, files, manifest):
    """What `askme data fetch` saves is where eval looks when no --data is given."""
    home = tmp_path / "home"
    fetch_babi(home / "babi", archive=write_archive(tmp_path / "babi.tar.gz", files),
               manifest=manifest)
    result = run_askme("eval", "--tasks", "1", "--json", home=home, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    questions = (FIXTURES / TASK_1).read_text().count("?")
    assert report["tasks"]["1"]["n"] == questions and result.stderr == ""


def test_the_shipped_manifest_names_every_task_file_of_en_and_en_10k():
    manifest = load_manifest()
    for folder in ("en", "en-10k"):
        names = {name for name in manifest if name.startswith(f"{folder}/")}
        assert len(names) == 40  # 20 tasks, train and test
    assert [n for n, e in manifest.items() if "sha256" not in e] == [
        "en-10k/qa3_three-supporting-facts_train.txt"]


SHARED = Path(__file__).resolve().parents[2] / "shared" / "babi"


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs the bAbI copy beside the checkout")
def test_the_shipped_manifest_matches_the_official_files():
    manifest = load_manifest()
    for name, expected in manifest.items():
        path = SHARED / name
        if "sha256" in expected:
            assert manifest_entry(path.read_bytes()) == expected, name
        elif path.is_file():
            low, high = expected["bytes"]
            assert low <= path.stat().st_size <= high
