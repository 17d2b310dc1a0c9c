"""Model registry: versioned, hash-checked scikit-learn pipelines on disk.

``registry/CURRENT`` names the promoted version; each ``registry/<version>/`` holds
``pipeline.skops`` (skops, never pickle), the same model compiled to plain data for
serving (``scorer.json`` and ``scorer.npz``, see compiler.py), ``card.json`` (the model
card plus ``library_versions``), the caller's extra ``*.json`` files, and ``SHA256SUMS``
(``<hex>  <filename>`` for every other file, sorted). A version appears under its
name only once complete, ``CURRENT`` is switched with ``os.replace``, and loading
checks hashes, library versions and artifact types before it builds anything.
Every refusal is an ``ArtifactError``.

Training and evaluation load the pipeline (``load_version``, which imports scikit-learn
and skops); the service loads the compiled form (``load_scorer``: JSON and
``numpy.load(allow_pickle=False)``), which needs neither and is checked against the
same SHA256SUMS.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import json
import os
import platform
import re
import secrets
import shutil
import zipfile
from importlib.metadata import version as installed_version
from pathlib import Path

import numpy

PIPELINE_FILE = "pipeline.skops"
SCORER_SPEC_FILE = "scorer.json"
SCORER_ARRAYS_FILE = "scorer.npz"
CARD_FILE = "card.json"
SUMS_FILE = "SHA256SUMS"
CURRENT_FILE = "CURRENT"

# Types an artifact may hold beyond those skops trusts by default (skops already
# trusts every public scikit-learn estimator, builtins, numpy arrays and dtypes, and
# scipy sparse matrices). Names as skops.io.get_untrusted_types reports them; add a
# line per project class that a saved pipeline contains.
TRUSTED_TYPES: tuple[str, ...] = (
    "model.ordinal.OrdinalLogit",
    "model.credibility.CredibilityModel",
    "model.features.ClaimCues",
    "model.features.ClaimNgrams",
    "model.features.DeskHabits",
    "model.features.TrackRecordPosterior",
    "model.features.TypePrior",
)

_OWN_FILES = (PIPELINE_FILE, SCORER_SPEC_FILE, SCORER_ARRAYS_FILE, CARD_FILE, SUMS_FILE)
_NAME = re.compile(r"[A-Za-z0-9._-]{1,128}")
_SUMS_LINE = re.compile(r"([0-9a-f]{64})  (\S+)")
# Read from the installed packages' metadata: serving must not import scikit-learn.
_INSTALLED = {"scikit-learn": installed_version("scikit-learn"),
              "skops": installed_version("skops"), "numpy": numpy.__version__,
              "scipy": installed_version("scipy"), "python": platform.python_version()}
# What each way of loading depends on: the pickle-free skops format persists estimator
# internals; the compiled form is JSON and a numpy .npz.
_PIPELINE_LIBRARIES = ("scikit-learn", "skops", "numpy", "scipy")
_SCORER_LIBRARIES = ("numpy",)


class ArtifactError(Exception):
    """A model version is missing, malformed, tampered with, or incompatible."""


@dataclasses.dataclass(frozen=True)
class LoadedScorer:
    """A verified version's compiled form: spec, arrays, card and extra JSON files."""

    version: str
    path: Path
    spec: dict
    arrays: dict
    card: dict
    files: dict[str, object]


@dataclasses.dataclass(frozen=True)
class LoadedVersion:
    """A verified version: the fitted pipeline, its card and its extra JSON files."""

    version: str
    path: Path
    pipeline: object
    card: dict
    files: dict[str, object]


def _check_name(name, what="version name"):
    # A leading dot would allow "." and "..", and hides our temporary folders.
    if (not isinstance(name, str) or not _NAME.fullmatch(name) or name.startswith(".")
            or name == CURRENT_FILE):
        raise ArtifactError(f"invalid {what} {name!r}: use 1-128 of [A-Za-z0-9._-], "
                            "not starting with '.'")
    return name


def _write(path, data: bytes):
    with open(path, "xb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())  # on disk before any rename can publish it


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY)  # so a crash cannot undo a rename we reported done
    os.fsync(fd)
    os.close(fd)


def _json_bytes(obj) -> bytes:
    # allow_nan=False: NaN is not JSON, and the card is served over HTTP as is.
    return (json.dumps(obj, indent=2, sort_keys=True, allow_nan=False) + "\n").encode()


def _default_version(card, blob) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", str(card.get("data_slug", ""))).strip("-.")
    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    return f"{day}-{slug or 'model'}-{hashlib.sha256(blob).hexdigest()[:6]}"


def save_version(registry_dir, pipeline, card: dict,
                 extra_files: dict[str, object] | None = None,
                 version: str | None = None) -> str:
    """Write a new version folder and return its name; never overwrites one."""
    registry, extra_files = Path(registry_dir), dict(extra_files or {})
    for name in extra_files:
        if (_check_name(name, "file name") in _OWN_FILES or not name.endswith(".json")):
            raise ArtifactError(f"invalid extra file name {name!r}: use a new *.json")
    if version is not None:
        _check_name(version)
    registry.mkdir(parents=True, exist_ok=True)
    # Not tempfile.mkdtemp: its 0700 mode would survive the rename and hide the
    # version from a service running as another user.
    tmp = registry / f".tmp-{secrets.token_hex(8)}"
    tmp.mkdir()
    try:
        import skops.io

        from .compiler import compile_pipeline

        blob = skops.io.dumps(pipeline, compression=zipfile.ZIP_DEFLATED)
        version = _check_name(version or _default_version(card, blob))
        if (registry / version).exists():
            raise ArtifactError(f"model version {version} already exists in {registry}")
        spec, arrays = compile_pipeline(pipeline)
        contents = {PIPELINE_FILE: blob, **scorer_files(spec, arrays),
                    CARD_FILE: _json_bytes({**card, "library_versions": dict(_INSTALLED)})}
        contents.update((name, _json_bytes(obj)) for name, obj in extra_files.items())
        for name, data in contents.items():
            _write(tmp / name, data)
        sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                       for name, data in sorted(contents.items()))
        _write(tmp / SUMS_FILE, sums.encode())
        _fsync_dir(tmp)
        # rename(2) would replace an *empty* folder of that name; the check above
        # refuses any real version, and an empty folder holds nothing to lose.
        os.rename(tmp, registry / version)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _fsync_dir(registry)
    return version


def scorer_files(spec: dict, arrays: dict) -> dict[str, bytes]:
    """The compiled form's two files: the spec as JSON, the arrays as an .npz."""
    buffer = io.BytesIO()
    numpy.savez_compressed(buffer, **arrays)
    return {SCORER_SPEC_FILE: _json_bytes(spec), SCORER_ARRAYS_FILE: buffer.getvalue()}


def list_versions(registry_dir) -> list[str]:
    """Names of the complete versions (those with SHA256SUMS), sorted."""
    registry = Path(registry_dir)
    if not registry.is_dir():
        return []
    return sorted(p.name for p in registry.iterdir()
                  if _NAME.fullmatch(p.name) and not p.name.startswith(".")
                  and p.is_dir() and (p / SUMS_FILE).is_file())


def current_version(registry_dir) -> str | None:
    """The promoted version's name, or None before the first promotion."""
    try:
        text = (Path(registry_dir) / CURRENT_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    # The name becomes a path: a CURRENT naming "../x" must never be followed.
    return _check_name(text.strip(), "version name in CURRENT")


def promote(registry_dir, version: str) -> None:
    """Make ``version`` CURRENT, after checking that it loads."""
    registry = Path(registry_dir)
    load_version(registry, version)  # the service must never be pointed at a bad model
    tmp = registry / f".CURRENT-{secrets.token_hex(8)}"
    try:
        _write(tmp, f"{version}\n".encode())
        os.replace(tmp, registry / CURRENT_FILE)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(registry)


def _verified_contents(version, path: Path) -> dict[str, bytes]:
    """Every file of the version, read once and checked against SHA256SUMS."""
    try:
        sums = (path / SUMS_FILE).read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        raise ArtifactError(f"model version {version}: no {SUMS_FILE}") from None
    expected = {}
    for line in sums.splitlines():
        match = _SUMS_LINE.fullmatch(line)
        if not match or match[2] in expected or match[2] == SUMS_FILE:
            raise ArtifactError(f"model version {version}: bad {SUMS_FILE} line {line!r}")
        expected[_check_name(match[2], "file name in SHA256SUMS")] = match[1]
    present = {p.name for p in path.iterdir()} - {SUMS_FILE}
    required = set(_OWN_FILES) - {SUMS_FILE} | expected.keys()
    compiled = {SCORER_SPEC_FILE, SCORER_ARRAYS_FILE}
    if not compiled & (present | expected.keys()) and PIPELINE_FILE in present:
        raise ArtifactError(f"model version {version} was saved before models were also "
                            "saved in compiled form (scorer.json, scorer.npz), which the "
                            "service serves from: retrain it with python -m training.train")
    for problem, names in (("unlisted", present - expected.keys()),
                           ("missing", required - present)):
        if names:
            raise ArtifactError(f"model version {version}: {problem} files {sorted(names)}")
    contents = {}
    for name, digest in expected.items():
        # Hash the very bytes that get parsed, so nothing can swap the file in between.
        try:
            data = (path / name).read_bytes()
        except OSError as exc:
            raise ArtifactError(f"model version {version}: {name}: {exc}") from exc
        if (found := hashlib.sha256(data).hexdigest()) != digest:
            raise ArtifactError(f"model version {version}: file {name} does not match its "
                                f"sha256 (expected {digest}, found {found})")
        contents[name] = data
    return contents


def _check_library_versions(version, card, libraries):
    saved = card.get("library_versions") if isinstance(card, dict) else None
    if not isinstance(saved, dict):
        raise ArtifactError(f"model version {version}: card has no library_versions")
    for lib in libraries:
        was, now = str(saved.get(lib)), _INSTALLED[lib]
        # scikit-learn and skops persist estimator internals, which change in any
        # release; numpy and scipy keep their array formats within a major version.
        same = (was == now if lib in ("scikit-learn", "skops")
                else was.split(".")[0] == now.split(".")[0])
        if not same:
            raise ArtifactError(f"model version {version} was saved with {lib} {was} "
                                f"(its {CARD_FILE} says so); "
                                f"this is {now}: retrain or install {was}")


def _verified(registry_dir, version: str | None, libraries):
    """(version, path, every file's bytes, parsed JSON files, card) of a checked version."""
    registry = Path(registry_dir)
    if version is None and (version := current_version(registry)) is None:
        raise ArtifactError(f"model registry {registry} has no CURRENT version")
    path = registry / _check_name(version)
    if not path.is_dir():
        raise ArtifactError(f"model version {version} not found in {registry}")
    contents = _verified_contents(version, path)
    try:
        files = {name: json.loads(data) for name, data in contents.items()
                 if name.endswith(".json")}
    except ValueError as exc:
        raise ArtifactError(f"model version {version}: invalid JSON: {exc}") from exc
    card = files.pop(CARD_FILE)
    _check_library_versions(version, card, libraries)
    return version, path, contents, files, card


def load_scorer(registry_dir, version: str | None = None) -> LoadedScorer:
    """Verify a version (default: CURRENT) and read its compiled form, for serving.

    Every file's hash is checked, the pipeline's too, so a tampered version is refused
    whichever way it is loaded; neither scikit-learn nor skops is imported.
    """
    version, path, contents, files, card = _verified(registry_dir, version,
                                                     _SCORER_LIBRARIES)
    spec = files.pop(SCORER_SPEC_FILE)
    try:
        with numpy.load(io.BytesIO(contents[SCORER_ARRAYS_FILE]), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except Exception as exc:  # a hash-valid file that still won't read is a refusal too
        raise ArtifactError(f"model version {version}: {SCORER_ARRAYS_FILE} could not be "
                            f"read: {exc}") from exc
    return LoadedScorer(version=version, path=path, spec=spec, arrays=arrays, card=card,
                        files=files)


def load_version(registry_dir, version: str | None = None,
                 trusted: tuple[str, ...] | None = None) -> LoadedVersion:
    """Verify and load a version's fitted pipeline (default: CURRENT).

    ``trusted`` adds type names to TRUSTED_TYPES for this call; like the tuple, it
    comes from code, never from the artifact.
    """
    import skops.io
    from skops.io.exceptions import UntrustedTypesFoundException

    version, path, contents, files, card = _verified(registry_dir, version,
                                                     _PIPELINE_LIBRARIES)
    files.pop(SCORER_SPEC_FILE)
    allowed = TRUSTED_TYPES + tuple(trusted or ())
    blob = contents[PIPELINE_FILE]
    try:
        # loads() refuses any type outside `allowed` before it builds one; the schema is
        # read a second time only to name them in the error.
        pipeline = skops.io.loads(blob, trusted=list(allowed))
    except UntrustedTypesFoundException:
        untrusted = [t for t in skops.io.get_untrusted_types(data=blob) if t not in allowed]
        raise ArtifactError(f"model version {version}: untrusted types in artifact: "
                            f"{', '.join(untrusted)}") from None
    except Exception as exc:  # a hash-valid file that still won't build is a refusal too
        raise ArtifactError(f"model version {version}: {PIPELINE_FILE} could not be "
                            f"loaded: {exc}") from exc
    return LoadedVersion(version=version, path=path, pipeline=pipeline, card=card,
                         files=files)
