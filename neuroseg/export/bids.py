"""A BIDS App: segment every participant of a study, locally or on a dask cluster (DESIGN 3.11).

``participant`` level: each participant (and session) is found by a plain walk
of ``sub-<label>/[ses-<label>/]anat/`` (pybids is not needed), segmented by
:func:`neuroseg.analysis.pipeline.segment_paths` exactly as the ``segment`` command
would, and written as BIDS derivatives. ``group`` level: one table of tissue
volumes for the whole study, and a plot of it.

Every participant is an independent task, so the same function runs
sequentially, in local processes (joblib) or as one task per participant on a
dask.distributed scheduler; BLAS keeps to one thread inside each task, and the
results are identical whichever way they ran.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from neuroseg import __version__
from neuroseg.analysis.pipeline import RunOptions, segment_paths
from neuroseg.errors import InputError
from neuroseg.export.brain import brain_mask_nifti, transform_json
from neuroseg.export.names import brain_mask_name, label_table_name, labels_name, transform_name
from neuroseg.export.nifti import label_nifti, nifti_gz_bytes
from neuroseg.viz.palette import label_colour
from neuroseg.viz.static import group_volumes_figure

_NIFTI = re.compile(r"\.nii(\.gz)?$")


@dataclass(frozen=True)
class Subject:
    """One participant (and session) and the file of each channel.

    Attributes
    ----------
    participant : str
        The label after ``sub-``.
    session : str or None
        The label after ``ses-``, if the dataset has sessions.
    files : tuple of Path
        One file per channel, in the order the channels were asked for.
    problem : str or None
        Why the subject cannot be segmented (a missing or ambiguous channel).
    """

    participant: str
    session: str | None
    files: tuple[Path, ...] = ()
    problem: str | None = None

    @property
    def name(self) -> str:
        """``sub-01`` or ``sub-01_ses-1``: the prefix of the subject's output files."""
        return f"sub-{self.participant}" + (f"_ses-{self.session}" if self.session else "")

    def output_dir(self, out_dir: Path) -> Path:
        return out_dir / f"sub-{self.participant}" / (f"ses-{self.session}" if self.session else "") / "anat"

    @property
    def stem(self) -> str:
        """The prefix of the subject's derivatives: its name, and the reference file's ``space`` entity if it has one."""
        space = re.search(r"_(space-[A-Za-z0-9]+)_", self.files[0].name) if self.files else None
        return self.name + (f"_{space.group(1)}" if space else "")

    def outputs(self, out_dir: Path) -> tuple[Path, Path]:
        """The label image and its label table."""
        folder = self.output_dir(out_dir)
        return folder / labels_name(self.stem), folder / label_table_name(self.stem)


def find_subjects(bids_dir: Path, channels: Sequence[str], participants: Sequence[str] = ()) -> list[Subject]:
    """Walk ``sub-*/[ses-*/]anat`` and pick each channel's file for every participant and session.

    A channel's file is ``sub-L[_ses-S][_<entity>-<value>...]_<channel>.nii[.gz]``;
    none, or more than one, makes the subject's ``problem``.

    Raises
    ------
    InputError
        When the folder is not a BIDS dataset or a requested participant is absent.
    """
    bids_dir = Path(bids_dir)
    if not bids_dir.is_dir():
        raise InputError(str(bids_dir), "is not a folder.", "Give the BIDS dataset's root folder.")
    found = sorted(p for p in bids_dir.glob("sub-*") if p.is_dir())
    if not found:
        raise InputError(str(bids_dir), "holds no sub-* folder, so it is not a BIDS dataset.")
    wanted = [p.removeprefix("sub-") for p in participants]
    labels = [p.name.removeprefix("sub-") for p in found]
    missing = [w for w in wanted if w not in labels]
    if missing:
        raise InputError(str(bids_dir), f"has no participant {', '.join('sub-' + m for m in missing)}.")
    subjects = []
    for folder in found:
        participant = folder.name.removeprefix("sub-")
        if wanted and participant not in wanted:
            continue
        sessions = sorted(p for p in folder.glob("ses-*") if p.is_dir())
        for session_dir in sessions or [None]:
            session = session_dir.name.removeprefix("ses-") if session_dir else None
            subjects.append(_pick_files(participant, session, (session_dir or folder) / "anat", channels))
    return subjects


def _pick_files(participant: str, session: str | None, anat: Path, channels: Sequence[str]) -> Subject:
    prefix = f"sub-{participant}" + (f"_ses-{session}" if session else "")
    names = sorted(p.name for p in anat.iterdir()) if anat.is_dir() else []
    files = []
    for channel in channels:
        matches = [n for n in names if n.startswith(prefix + "_") and _NIFTI.sub("", n).endswith("_" + channel)]
        if len(matches) != 1:
            where = f"{anat.relative_to(anat.parents[1 if session is None else 2])}"
            problem = (
                f"no {channel} image ({prefix}_{channel}.nii[.gz]) in {where}"
                if not matches
                else f"{len(matches)} files match {channel} in {where} ({', '.join(matches)}); keep one"
            )
            return Subject(participant, session, problem=problem)
        files.append(anat / matches[0])
    return Subject(participant, session, tuple(files))


@dataclass(frozen=True)
class Outcome:
    """What happened to one subject: ``status`` is ``done``, ``skipped`` or ``failed``."""

    subject: Subject
    status: str
    message: str = ""
    seconds: float = 0.0


def run_subject(subject: Subject, out_dir: Path, options: RunOptions, channels: Sequence[str],
                overwrite: bool = False) -> Outcome:  # fmt: skip
    """Segment one subject and write its derivatives; never raises for the subject's own data."""
    start = time.perf_counter()
    image_path, table_path = subject.outputs(out_dir)
    if subject.problem is not None:
        return Outcome(subject, "failed", subject.problem)
    if not overwrite and image_path.exists() and table_path.exists():
        return Outcome(subject, "skipped", "already done (use --overwrite to redo)")
    try:
        with threadpool_limits(limits=1):
            seg, _ = segment_paths(subject.files, options, names=channels)
        legend = seg.legend()
        table = pd.DataFrame({"index": list(legend), "name": list(legend.values()), "color": [label_colour(j) for j in legend]})
        image_path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(table_path, table.to_csv(sep="\t", index=False).encode())
        _atomic_write(image_path, nifti_gz_bytes(label_nifti(seg)))
        if seg.stack.mask.kind == "brain":  # the mask and the template's transform beside the labels
            stem = subject.stem
            _atomic_write(image_path.with_name(brain_mask_name(stem)), nifti_gz_bytes(brain_mask_nifti(seg.stack)))
            _atomic_write(image_path.with_name(transform_name(stem, channels[0])), transform_json(seg.stack).encode())
    except InputError as exc:
        return Outcome(subject, "failed", str(exc))
    except OSError as exc:
        return Outcome(subject, "failed", f"cannot write {exc.filename}: {exc.strerror}")
    return Outcome(subject, "done", f"{len(seg.features.X):,} voxels", time.perf_counter() - start)


def _atomic_write(path: Path, content: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file under the final name."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_description(out_dir: Path, options: RunOptions, channels: Sequence[str]) -> Path:
    """``dataset_description.json`` of the derivatives, naming neuroseg, its version and the options."""
    out_dir.mkdir(parents=True, exist_ok=True)
    description = {
        "Name": "neuroseg tissue segmentations",
        "BIDSVersion": "1.9.0",
        "DatasetType": "derivative",
        "GeneratedBy": [
            {
                "Name": "neuroseg",
                "Version": __version__,
                "Description": "Gaussian mixture segmentation of co-registered anatomical images.",
                "Options": {"channels": list(channels), **options.as_dict()},
            }
        ],
    }
    path = out_dir / "dataset_description.json"
    _atomic_write(path, (json.dumps(description, indent=2) + "\n").encode())
    return path


def run_participants(
    subjects: Sequence[Subject],
    out_dir: Path,
    options: RunOptions,
    channels: Sequence[str],
    *,
    overwrite: bool = False,
    jobs: int = 1,
    scheduler: str | None = None,
    report: Callable[[Outcome, int, int], None] | None = None,
) -> list[Outcome]:
    """Run every subject: sequentially, in ``jobs`` local processes, or as tasks on a dask scheduler.

    ``report(outcome, done, total)`` is called as each subject finishes (progress).
    """
    out_dir = Path(out_dir)
    write_description(out_dir, options, channels)
    args = (out_dir, options, tuple(channels), overwrite)
    total = len(subjects)
    outcomes: list[Outcome] = []

    def finished(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if report is not None:
            report(outcome, len(outcomes), total)

    if scheduler is not None:
        for outcome in _on_dask(subjects, args, scheduler):
            finished(outcome)
    elif jobs > 1:
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
        for outcome in parallel(delayed(run_subject)(subject, *args) for subject in subjects):
            finished(outcome)
    else:
        for subject in subjects:
            finished(run_subject(subject, *args))
    order = {s.name: i for i, s in enumerate(subjects)}
    return sorted(outcomes, key=lambda o: order[o.subject.name])


def _on_dask(subjects: Sequence[Subject], args: tuple, scheduler: str) -> Iterable[Outcome]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InputError("--scheduler", "needs dask.distributed: pip install distributed.") from None
    try:
        client = Client(scheduler, timeout="30s")
    except OSError as exc:
        raise InputError("--scheduler", f"cannot reach {scheduler} ({exc}).") from None
    try:
        futures = [client.submit(run_subject, s, *args, key=f"neuroseg-{s.name}-{id(args)}", pure=False) for s in subjects]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()


def group_volumes(out_dir: Path) -> pd.DataFrame:
    """One row per participant (and session) and label: participant_id, [session_id,] index, name, n_voxels, volume_ml."""
    import nibabel as nib

    rows = []
    for image_path in sorted(Path(out_dir).glob("sub-*/**/anat/*_desc-neuroseg_dseg.nii.gz")):
        entities = dict(re.findall(r"(sub|ses)-([A-Za-z0-9]+)", image_path.name))
        labels_table = pd.read_csv(image_path.with_name(image_path.name.replace(".nii.gz", ".tsv")), sep="\t")
        image = nib.load(image_path)
        labels = np.asarray(image.dataobj)
        counts = np.bincount(labels.ravel(), minlength=int(labels_table["index"].max()) + 1)
        voxel_ml = float(np.prod(image.header.get_zooms()[:3])) / 1000.0
        for _, label in labels_table.iterrows():
            row = {"participant_id": f"sub-{entities['sub']}"}
            if "ses" in entities:
                row["session_id"] = f"ses-{entities['ses']}"
            n = int(counts[int(label["index"])])
            rows.append(row | {"index": int(label["index"]), "name": label["name"], "n_voxels": n, "volume_ml": round(n * voxel_ml, 4)})
    if not rows:
        raise InputError(str(out_dir), "holds no *_desc-neuroseg_dseg.nii.gz; run the participant level first.")
    table = pd.DataFrame(rows)
    if "session_id" in table:
        table = table[["participant_id", "session_id", "index", "name", "n_voxels", "volume_ml"]]
        table["session_id"] = table["session_id"].fillna("n/a")
    return table


def write_group(out_dir: Path) -> tuple[Path, Path]:
    """``group_volumes.tsv`` and ``group_volumes.png`` (tissue volumes across participants)."""
    from matplotlib import pyplot as plt

    out_dir = Path(out_dir)
    table = group_volumes(out_dir)
    tsv = out_dir / "group_volumes.tsv"
    _atomic_write(tsv, table.to_csv(sep="\t", index=False).encode())
    fig = group_volumes_figure(table)
    png = out_dir / "group_volumes.png"
    fig.savefig(png, dpi=100)
    plt.close(fig)
    return tsv, png


def print_progress(outcome: Outcome, done: int, total: int) -> None:
    """One line per finished subject on stdout; a failure also gets its one line on stderr."""
    if outcome.status == "failed":
        print(f"neuroseg: {outcome.subject.name}: {outcome.message}", file=sys.stderr, flush=True)
    detail = f"{outcome.message}, {outcome.seconds:.1f} s" if outcome.status == "done" else outcome.message
    print(f"[{done}/{total}] {outcome.subject.name}: {outcome.status} ({detail})", flush=True)
