"""Command line: ``python -m neuroseg segment | compare | bids | info`` (DESIGN 3.5, 3.11).

Each command imports what it needs when it runs, so ``info`` does not pay
for scikit-learn and ``segment`` does not pay for Plotly: start-up stays short.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from neuroseg.errors import InputError
from neuroseg.models.options import LESSON_SEED, OPTION, OPTIONS, FitOptions, Option, OptionError


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> None:
        self.exit(2, f"neuroseg: error: {message} (see --help)\n")


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "images", nargs="+", metavar="IMG",
        help="co-registered images, one per channel; a DICOM folder or .zip gives its series as channels",
    )  # fmt: skip
    parser.add_argument(
        "--series", nargs="+", type=int, metavar="N",
        help="with a DICOM folder or .zip: the series (by SeriesNumber) to take as channels, in this order",
    )  # fmt: skip
    add_segment_options(parser)


def add_segment_options(parser: argparse.ArgumentParser) -> None:
    """Every option of ``segment`` but the images, -k and the outputs (``bids`` takes them too)."""
    parser.add_argument("--axis", choices=("x", "y", "z"), help="array axis of --slice (default z)")
    parser.add_argument("--slice", type=int, help="analyse this slice only (default: whole volume)")
    parser.add_argument("--resample", action="store_true", help="resample images onto the first one's grid")
    parser.add_argument("--volume", type=int, default=0, help="volume of 4-D images (default 0)")
    parser.add_argument(
        "--mask", metavar="FILE|auto|brain",
        help="analysis mask: a mask image (nonzero = inside), 'auto' (foreground found from the first image) or "
        "'brain' (the brain extracted from the first image, a T1-weighted head or brain, checked against the MNI152 "
        "template); default: the lesson's rule, > 0 in every image",
    )  # fmt: skip
    add_fit_options(parser)


def add_fit_options(parser: argparse.ArgumentParser) -> None:
    """One flag per fit option, made from its declaration (:data:`~neuroseg.models.options.OPTIONS`)."""
    group = parser.add_argument_group("fit options")
    for option in OPTIONS:
        text = option.help.replace("%", "%%")
        if option.kind is bool:
            group.add_argument(option.flag, dest=option.name, action="store_true", help=text)
        elif option.const is not None and option.kind is str:
            group.add_argument(option.flag, dest=option.name, action="store_const", const=option.const,
                               default=option.default, help=text)  # fmt: skip
        else:
            group.add_argument(
                option.flag, dest=option.name, type=_reader(option), default=option.default,
                choices=option.choices or None, nargs="?" if option.const is not None else None, const=option.const,
                metavar=None if option.choices else option.metavar, help=f"{text} Default: {option.default}.",
            )  # fmt: skip


def _reader(option: Option):
    """The flag's value as the option's type, an old spelling read as today's with a note."""

    def read(text: str):
        if text in option.renamed:
            new = option.renamed[text]
            print(f"note: {option.flag} '{text}' is now spelled '{new}'; the old spelling will be refused in a future "
                  "release.", file=sys.stderr)  # fmt: skip
            text = new
        return option.kind(text)

    return read


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m neuroseg", description="Segment brain MRI with Gaussian mixtures.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    seg = commands.add_parser("segment", help="fit one mixture and write the label volume")
    _add_data_options(seg)
    seg.add_argument("-k", type=int, required=True, help="number of clusters")
    seg.add_argument("--seed", type=int, default=LESSON_SEED)
    seg.add_argument("-o", "--output", required=True, type=Path, help="label volume (.nii.gz)")
    seg.add_argument("--stats", type=Path, help="per-cluster table (.csv)")
    seg.add_argument("--posteriors", type=Path, metavar="OUT_probseg.nii.gz",
                     help="4-D float32 posteriors, one volume per label in label order")  # fmt: skip
    seg.add_argument("--notebook", type=Path, metavar="OUT.ipynb",
                     help="the Jupyter notebook of this run: run beside the input files, it rebuilds the labels")  # fmt: skip

    cmp_ = commands.add_parser("compare", help="fit a grid of k x seeds and write one row per fit")
    _add_data_options(cmp_)
    cmp_.add_argument("--kmin", type=int, default=2)
    cmp_.add_argument("--kmax", type=int, default=8)
    cmp_.add_argument("--seeds", type=int, default=5, help="how many seeds, starting at --seed")
    cmp_.add_argument("--seed", type=int, default=LESSON_SEED)
    cmp_.add_argument("--jobs", type=int, default=1, help="fits to run at once")
    cmp_.add_argument("-o", "--output", required=True, type=Path, help="table (.csv)")

    bids = commands.add_parser(
        "bids", help="BIDS App: segment every participant (participant level) or tabulate their volumes (group level)"
    )
    bids.add_argument("bids_dir", type=Path, metavar="BIDS_DIR")
    bids.add_argument("out_dir", type=Path, metavar="OUT_DIR")
    bids.add_argument("level", choices=("participant", "group"))
    bids.add_argument("--channels", nargs="+", default=["T1w"], metavar="SUFFIX",
                      help="BIDS suffixes of the channels, the first is the reference grid (default T1w)")  # fmt: skip
    bids.add_argument("--participant-label", nargs="+", default=[], metavar="L", help="only these participants")
    bids.add_argument("-k", type=int, default=3, help="number of clusters (default 3)")
    bids.add_argument("--seed", type=int, default=LESSON_SEED)
    add_segment_options(bids)
    where = bids.add_mutually_exclusive_group()
    where.add_argument("--jobs", type=int, default=1, help="participants to run at once in local processes")
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="a running dask.distributed scheduler, e.g. tcp://host:8786"
    )
    bids.add_argument("--overwrite", action="store_true", help="redo participants whose outputs exist")

    info = commands.add_parser("info", help="print a header summary")
    info.add_argument("image", metavar="IMG")
    return parser


def _fit_options(args) -> FitOptions:
    """How a ``segment``, ``compare`` or ``bids`` command line fits; an option its model would ignore is refused."""
    options = FitOptions(**{option.name: getattr(args, option.name) for option in OPTIONS})
    if ignored := options.ignored():
        switches = " ".join(o.cli_text(getattr(options, o.name)) for o in OPTIONS if o.switches and o not in ignored
                            and getattr(options, o.name) != o.default)  # fmt: skip
        option = ignored[0]
        raise OptionError(
            option.name, getattr(options, option.name), f"the {options.model} model ({switches}) does not use it.",
            f"Leave {option.flag} out.",
        )  # fmt: skip
    return options


def _options(args, k: int):
    """Everything a ``segment``, ``compare`` or ``bids`` command line asks for (a RunOptions)."""
    from neuroseg.analysis.pipeline import RunOptions

    return RunOptions(
        k=k, seed=args.seed, axis=args.axis, slice=args.slice, resample=args.resample, volume=args.volume,
        mask=args.mask, fit=_fit_options(args),
    )  # fmt: skip


def _run_segment(args) -> None:
    from neuroseg.analysis.pipeline import segment_paths
    from neuroseg.export.nifti import label_nifti, posteriors_nifti

    seg, notices = segment_paths(
        args.images, _options(args, args.k), before_fit=_say_if_memory_is_short, series=args.series
    )
    advice = seg.result.options.real_scan_advice()
    for notice in notices + ([advice] if advice else []):
        print(f"note: {notice}", file=sys.stderr)
    for warning in seg.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    _write(args.output, lambda p: label_nifti(seg).to_filename(p))
    if args.stats is not None:
        _write(args.stats, lambda p: seg.table().to_csv(p, index=False))
    if args.posteriors is not None:
        _write(args.posteriors, lambda p: posteriors_nifti(seg).to_filename(p))
    if args.notebook is not None:
        from neuroseg.export.reproduce import segment_code

        _write(args.notebook, lambda p: Path(p).write_text(segment_code(seg).notebook()))
    r = seg.result
    note = "" if r.converged else " (did NOT converge)"
    print(f"k={r.k} seed={r.seed} {r.model}: {len(seg.features.X):,} voxels, BIC {r.bic:.1f}{note} -> {args.output}")


def _run_compare(args) -> None:
    from neuroseg.analysis.brain import whole_head_notice
    from neuroseg.analysis.compare import compare, grid_pairs, grid_table
    from neuroseg.analysis.pipeline import load_stack
    from neuroseg.core.features import make_features
    from neuroseg.models.cost import fit_bytes

    pairs = grid_pairs(args.kmin, args.kmax, args.seed, args.seeds)
    options = _options(args, args.kmin)  # the grid sets k itself
    stack, notices = load_stack(
        args.images, volume=args.volume, resample=args.resample, mask=args.mask, series=args.series
    )
    for notice in notices:
        print(f"note: {notice}", file=sys.stderr)
    if (warning := whole_head_notice(stack)) is not None:
        print(f"warning: {warning}", file=sys.stderr)
    features = make_features(stack.channels, options.scope(), stack.mask)
    n_jobs = min(args.jobs, len(pairs))
    _say_if_memory_is_short(n_jobs * fit_bytes(len(features.X), len(stack.names), args.kmax, options.fit, features.mask.size))
    results = compare(stack, options.scope(), pairs, options.fit, features=features, n_jobs=n_jobs)
    table = grid_table(results)
    _write(args.output, lambda p: table.to_csv(p, index=False))
    print(f"{len(results)} fits on {results[0].n_fit:,} voxels -> {args.output}")


def _run_bids(args) -> int:
    from neuroseg.export.bids import find_subjects, print_progress, run_participants, write_group

    if args.level == "group":
        tsv, png = write_group(args.out_dir)
        print(f"group volumes -> {tsv} and {png}")
        return 0
    if args.jobs < 1:
        raise InputError("--jobs", f"must be at least 1, got {args.jobs}.")
    options = _options(args, args.k)  # bad settings are refused here, before any participant runs
    subjects = find_subjects(args.bids_dir, args.channels, args.participant_label)
    outcomes = run_participants(
        subjects, args.out_dir, options, args.channels, overwrite=args.overwrite, jobs=args.jobs,
        scheduler=args.scheduler, report=print_progress,
    )  # fmt: skip
    counts = {status: sum(o.status == status for o in outcomes) for status in ("done", "skipped", "failed")}
    print(", ".join(f"{n} {status}" for status, n in counts.items()) + f" -> {args.out_dir}")
    return 1 if counts["failed"] else 0


def _run_info(args) -> None:
    from neuroseg.core.axes import axis_planes
    from neuroseg.io import load_path
    from neuroseg.io.header import summarize

    image = load_path(args.image)
    for key, value in summarize(image).items():
        print(f"{key:28s}{value}")
    planes = axis_planes(image.affine)
    print(f"{'Slicing planes':28s}" + ", ".join(f"{a}: {p}" for a, p in planes.items()))
    for warning in image.warnings:
        print(f"warning: {warning}")


def _say_if_memory_is_short(cost: int) -> None:
    """Warn, before a fit starts, when its estimated peak is over the memory the machine has free."""
    from neuroseg.analysis.admission import available_bytes, megabytes

    free = available_bytes()
    if free is not None and cost > free:
        print(
            f"warning: this fit needs about {megabytes(cost)} of memory and the machine has {megabytes(free)} free, "
            "so it may fail or swap; --mask brain, --slice N or the mixture without --bias-correct, --mrf and "
            "--priors need less.", file=sys.stderr,
        )  # fmt: skip


def _write(path: Path, writer) -> None:
    try:
        writer(path)
    except OSError as exc:
        raise InputError(str(path), f"cannot be written ({exc.strerror or exc}).") from None


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 1 some participants failed, 2 bad input)."""
    args = build_parser().parse_args(argv)
    runner = {"segment": _run_segment, "compare": _run_compare, "bids": _run_bids, "info": _run_info}[args.command]
    try:
        return runner(args) or 0
    except OptionError as exc:
        print(f"neuroseg: error: {exc.worded(OPTION[exc.option].cli_text(exc.value))}", file=sys.stderr)
        return 2
    except InputError as exc:
        print(f"neuroseg: error: {exc}", file=sys.stderr)
        return 2
