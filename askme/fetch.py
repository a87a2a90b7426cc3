"""`askme data fetch`: the official bAbI v1.2 archive onto a user's machine, checked.

The task files of en/ (1k) and en-10k/ are taken out of the archive into a folder beside the
data folder, each checked against the SHA-256 manifest shipped in the package
(`babi-v1.2.json`, computed from the official files); only when all of them pass does that
folder replace the data folder, so a damaged download, a changed file or a lost connection
leaves what was there before. Members are read as bytes and written under names from the
manifest, never extracted by the archive's own paths.

One file of the manifest has no digest: the 10k training file of task 3, which the copy
the manifest was computed from lacks. It is checked by its size (within the range the other
tasks' 10k files keep to, about ten times their 1k file) and its format (it parses as bAbI
and asks the expected number of questions).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import lzma
import os
import shutil
import tarfile
import tempfile
import zlib
from importlib.resources import files
from pathlib import Path

from askme.errors import AskmeError

OFFICIAL_URL = "http://www.thespermwhale.com/jaseweston/babi/tasks_1-20_v1-2.tar.gz"
MANIFEST = "babi-v1.2.json"
REQUIRED_SET = "en"  # en-10k/ is kept when the archive has it (complete, like en/)
_CHUNK = 1 << 16


def load_manifest() -> dict[str, dict]:
    """{"en/qa1_..._train.txt": {"sha256": hex, "bytes": n} or {"bytes": [low, high],
    "questions": n}} from the manifest shipped in the package."""
    return json.loads((files("askme") / MANIFEST).read_text())["files"]


def manifest_entry(data: bytes) -> dict:
    """What the manifest records of one official file."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def fetch_babi(dest: Path, url: str = OFFICIAL_URL, archive: Path | None = None,
               manifest: dict[str, dict] | None = None, progress=None) -> list[str]:
    """Download (or take `archive`), check and install the bAbI task files into `dest`,
    replacing what was there; return the names kept ("en/qa1_..."). On any failure `dest`
    is left as it was and AskmeError says why in one line. `progress(done, total)` is
    called while downloading (total None when the server does not say)."""
    manifest = manifest if manifest is not None else load_manifest()
    dest = Path(dest)
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=dest.parent, prefix=f".{dest.name}-fetch-") as work:
            work = Path(work)
            if archive is None:
                archive = work / "archive.tar.gz"
                download(url, archive, progress)
            staged = work / dest.name
            kept = unpack_checked(archive, staged, manifest)
            _replace_folder(staged, dest, work)
    except OSError as error:
        why = error.strerror or error
        raise AskmeError(f"{dest}: cannot write the bAbI files ({why})") from None
    return kept


def download(url: str, target: Path, progress=None) -> None:
    """`url` to `target`; a lost connection or a short body is an AskmeError."""
    import http.client
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=60) as response, target.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            done = 0
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    except urllib.error.HTTPError as error:
        raise AskmeError(f"{url}: the server answered {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", None) or error
        raise AskmeError(f"{url}: cannot download ({reason}); check the network, or give a "
                         f"mirror with --url or an archive on disk with --from") from None
    except http.client.HTTPException as error:  # the body ended short of its length
        raise AskmeError(f"{url}: the download stopped ({_first_line(error)}); try again") from None
    except ValueError as error:  # not a URL at all
        raise AskmeError(f"{url}: not a URL askme can download ({error})") from None
    if total is not None and done != total:
        raise AskmeError(f"{url}: the download stopped after {done:,} of {total:,} bytes; "
                         f"try again")


def unpack_checked(archive: Path, folder: Path, manifest: dict[str, dict]) -> list[str]:
    """Write the archive's bAbI task files that the manifest names into `folder`, each
    checked; the en/ set must be complete, and en-10k/ too when the archive has it."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:  # reads the whole archive: a cut-off one fails here
                name = "/".join(Path(member.name).parts[-2:])
                if member.isfile() and name in manifest:
                    found[name] = tar.extractfile(member).read()
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, lzma.LZMAError) as error:
        why = _first_line(error)
        if why.endswith(":"):  # tarfile's "could not be opened successfully:", then a list
            why = "not a tar archive, compressed or not"
        raise AskmeError(f"{archive}: not a complete bAbI archive ({why}); "
                         f"it is truncated or damaged: download it again") from None
    except OSError as error:
        raise AskmeError(f"{archive}: cannot read ({error.strerror or error})") from None
    sets = {name.split("/")[0] for name in found} | {REQUIRED_SET}
    for name, expected in manifest.items():
        if name.split("/")[0] not in sets:
            continue
        if name not in found:
            raise AskmeError(f"{archive}: has no {name}: it is incomplete or not bAbI v1.2 "
                             f"(tasks_1-20_v1-2)")
        _check(archive, name, found[name], expected)
    for name, data in sorted(found.items()):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return sorted(found)


def _check(archive: Path, name: str, data: bytes, expected: dict) -> None:
    refused = f"{archive}: {name} is not the official bAbI v1.2 file"
    if "sha256" in expected:
        if manifest_entry(data)["sha256"] != expected["sha256"]:
            raise AskmeError(f"{refused} (its SHA-256 differs); nothing was installed")
        return
    low, high = expected["bytes"]
    if not low <= len(data) <= high:
        raise AskmeError(f"{refused} ({len(data):,} bytes, expected {low:,} to {high:,}); "
                         f"nothing was installed")
    from askme.babi import parse_babi

    try:
        questions = len(parse_babi(io.StringIO(data.decode("utf-8")), name=name))
    except (UnicodeDecodeError, AskmeError) as error:
        raise AskmeError(f"{refused} ({_first_line(error)}); nothing was installed") from None
    if questions != expected["questions"]:
        raise AskmeError(f"{refused} ({questions:,} questions, expected "
                         f"{expected['questions']:,}); nothing was installed")


def _replace_folder(new: Path, dest: Path, work: Path) -> None:
    """Put `new` where `dest` is, by renames in one folder: a crash leaves one of the two."""
    old = work / "replaced"
    if dest.exists():
        os.replace(dest, old)
    try:
        os.replace(new, dest)
    except OSError:
        if old.exists():
            os.replace(old, dest)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0][:160] if text else type(error).__name__
