"""Measure neuroseg against the naive approach, on the 2 mm, 1.5 mm and 1 mm phantoms.

Usage::

    python benchmarks/run.py                 # every workload (about 25 minutes on 2 cores)
    python benchmarks/run.py grid density    # some of them
    python benchmarks/run.py --quick         # skip the slowest baselines (seaborn/scipy on all voxels)

Prints Markdown tables (medians of several runs; ratios against the naive code
timed in the same run) and writes them to ``benchmarks/results/latest.md``.
The 1 mm and 1.5 mm phantoms are made on first use by ``scripts/make_sample_data.py``
into ``benchmarks/data/`` (not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import numpy as np  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402

from neuroseg.analysis.compare import fit_grid, grid_table  # noqa: E402
from neuroseg.analysis.density import kde2d, histogram2d  # noqa: E402
from neuroseg.core.features import Scope, make_features  # noqa: E402
from neuroseg.analysis.metrics import adjusted_rand_index  # noqa: E402
from neuroseg.models import FitData, FitOptions, fit  # noqa: E402
from neuroseg.models.options import DEFAULT_MAX_FIT_VOXELS  # noqa: E402
from neuroseg.core.masks import resolve_mask  # noqa: E402
from neuroseg.analysis.metrics import dice_per_tissue  # noqa: E402
from neuroseg.core.samples import DATA_DIR, load_sample, load_sample_mask  # noqa: E402
from neuroseg.core.stack import with_mask  # noqa: E402
from neuroseg.models.options import DEFAULT_BETA  # noqa: E402
from neuroseg.models.tissue import fit_tissue_model  # noqa: E402

MM1 = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
GRID = [(k, s) for k in range(2, 9) for s in range(12345, 12350)]
warnings.simplefilter("ignore")


def ensure_1mm() -> Path:
    return ensure_phantom(1)


def ensure_phantom(resolution: float) -> Path:
    """The phantom at 1 or 1.5 mm, made on first use by scripts/make_sample_data.py (not committed)."""
    folder = MM1 if resolution == 1 else MM1 / f"{resolution:g}mm"
    if not (folder / "phantom_t1w.nii.gz").exists():
        subprocess.run([sys.executable, "scripts/make_sample_data.py", "--resolution", f"{resolution:g}", "--out", str(folder)],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip
    return folder


def timed(fn, repeats: int = 3, slow: float = 5.0):
    """Median wall time of ``fn()`` over ``repeats`` runs (one run if it takes over ``slow`` s), and its result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
        if times[0] > slow:
            break
    return statistics.median(times), result, len(times)


def volume_X(data_dir: Path) -> np.ndarray:
    stack, _ = load_sample("phantom", data_dir)
    return make_features(stack.channels, Scope("volume"), stack.mask).X


def table(title: str, header: list[str], rows: list[list]) -> str:
    lines = [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def s(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


# -- 1. comparison grid ----------------------------------------------------------------------------------------


def bench_grid(quick: bool) -> str:
    rows, agreement = [], []
    sizes = [("2 mm", DATA_DIR), ("1.5 mm", ensure_phantom(1.5)), ("1 mm", ensure_1mm())]
    for label, folder in sizes:
        X = volume_X(folder)
        ours, (results, summary), n = timed(lambda: (lambda r: (r, grid_table(r)))(fit_grid(FitData(X), GRID, n_jobs=2)), 3)
        if label == "1 mm":  # the full naive loop takes several minutes: its first seed, times five
            firsts = [(k, 12345) for k in range(2, 9)]
            if quick:
                naive, naive_text = None, "not run (--quick)"
            else:
                t_first, _, _ = timed(lambda: [GaussianMixture(k, random_state=s).fit_predict(X) for k, s in firsts], 1)
                naive, naive_text = t_first * 5, f"{s(t_first * 5)} (7 fits timed x 5)"
            mean_ari = "-"
        else:
            naive, exact, _ = timed(lambda: {p: GaussianMixture(p[0], random_state=p[1]).fit_predict(X) for p in GRID}, 1)
            naive_text = s(naive)
            per_k = {k: [adjusted_rand_index(r.labels, exact[(r.k, r.seed)]) for r in results if r.k == k] for k in range(2, 9)}
            spread = {k: _pairwise_aris([exact[(k, s)] for s in range(12345, 12350)]) for k in range(2, 9)}
            mean_ari = f"{np.mean([a for v in per_k.values() for a in v]):.4f}"
            for k in range(2, 9):
                agreement.append([label, k, f"{np.mean(per_k[k]):.4f}", f"{min(per_k[k]):.4f}", f"{np.median(spread[k]):.3f}"])
        bins = results[0].n_bins
        rows.append([
            f"{label} phantom, {len(X):,} voxels", f"{bins:,}", naive_text, f"{s(ours)} (median of {n})",
            f"1/{naive / ours:.0f}" if naive else "-", mean_ari,
        ])  # fmt: skip
    warm = warm_compare_rerun()
    out = [table(
        "Comparison grid: k = 2..8 x 5 seeds, whole volume, two channels (fits and the grid's summary table)",
        ["volume", "histogram bins", "naive fit_predict loop", "neuroseg (fast, 2 threads)", "time ratio",
         "mean ARI vs exact, same k and seed"],
        rows,
    )]  # fmt: skip
    out.append(table(
        "Agreement per k: fast mode against the exact fit with the same seed, and the exact fits' own spread",
        ["volume", "k", "mean ARI fast vs exact", "lowest of the 5 seeds", "exact vs exact across seeds (median pairwise ARI)"],
        agreement,
    ))  # fmt: skip
    out.append(f"Warm revisit of the 2 mm grid (compare page rerun, all 35 fits cached): {s(warm)}.\n")
    return "\n".join(out)


def _pairwise_aris(labelings) -> list[float]:
    return [adjusted_rand_index(a, b) for i, a in enumerate(labelings) for b in labelings[i + 1 :]]


def warm_compare_rerun() -> float:
    """AppTest: the compare page on the 2 mm volume grid, rerun once everything is cached."""
    from neuroseg.testing.apptest import open_page

    at = open_page("compare", scope="volume", kmin=2, kmax=8, seeds=5)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# -- 2. one segmentation -----------------------------------------------------------------------------------------


def bench_segment(quick: bool) -> str:
    rows = []
    for label, data_dir in (("2 mm", DATA_DIR), ("1 mm", ensure_1mm())):
        stack, _ = load_sample("phantom", data_dir)
        middle = stack.shape[2] // 2
        for scope in (Scope("slice", "z", middle), Scope("volume")):
            X = make_features(stack.channels, scope, stack.mask).X
            naive, ref, _ = timed(lambda: GaussianMixture(3, random_state=12345).fit_predict(X))
            for mode in ("exact", "fast"):
                ours, result, n = timed(lambda: fit(FitData(X), 3, 12345, FitOptions(mode=mode)))
                ari = adjusted_rand_index(result.labels, ref)
                rows.append([label, scope.kind, f"{len(X):,}", mode, s(naive), f"{s(ours)} ({n})", f"{naive / ours:.1f}x", f"{ari:.4f}"])
    return table(
        "One segmentation, k = 3, seed 12345",
        ["phantom", "scope", "voxels", "mode", "naive fit_predict", "neuroseg fit_gmm (runs)", "speed-up", "ARI vs naive"],
        rows,
    )  # fmt: skip


# -- 3. density ------------------------------------------------------------------------------------------------------


def bench_density(quick: bool) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns
    from scipy.stats import gaussian_kde

    X = volume_X(ensure_1mm())
    rng = np.random.default_rng(0)
    rows = []
    for n in (4_000, 200_000, len(X)):
        sample = X[np.sort(rng.choice(len(X), n, replace=False))] if n < len(X) else X
        x, y = sample[:, 0], sample[:, 1]
        ours, (hist, grid), runs = timed(lambda: (histogram2d(x, y), kde2d(x, y)))
        gx, gy = np.meshgrid(grid.x[::2], grid.y[::2])
        points = np.vstack([gx.ravel(), gy.ravel()])
        slow = quick and n > 200_000
        if slow:
            scipy_time, diff, sns_time = "not run (--quick)", "-", "not run (--quick)"
        else:
            t, ref, _ = timed(lambda: gaussian_kde(np.vstack([x, y]))(points).reshape(gx.shape), 1)
            diff = f"{np.abs(grid.values[::2, ::2] / grid.values.max() - ref / ref.max()).max() * 100:.2f} %"
            scipy_time = f"{s(t)} ({t / ours:,.0f}x)"
            if n <= 200_000:
                def seaborn_plot():
                    fig, ax = plt.subplots()
                    sns.kdeplot(x=x, y=y, ax=ax)
                    plt.close(fig)

                t_sns, _, _ = timed(seaborn_plot, 1)
                sns_time = f"{s(t_sns)} ({t_sns / ours:,.0f}x)"
            else:
                sns_time = "not run (over 20 min)"
        rows.append([f"{n:,}", f"{ours * 1000:.0f} ms ({runs})", sns_time, scipy_time, diff])
    return table(
        "Density of the 1 mm phantom's joint intensities (200 x 200 grid; scipy evaluated on 100 x 100 of its points)",
        ["voxels", "neuroseg histogram + KDE", "seaborn.kdeplot (ours faster by)", "scipy gaussian_kde (ours faster by)",
         "max normalised difference vs gaussian_kde"],
        rows,
    )  # fmt: skip


# -- 4 and 6. payload and page reruns (AppTest, in a child process per data folder) -------------------------------------


PAGES = ("data", "slices", "joint", "segment", "compare")


def app_figures(data_dir: str) -> dict:
    """In a child process with NEUROSEG_DATA_DIR set: chart bytes per page and rerun times."""
    from neuroseg.testing.apptest import open_page

    result = {"payload": {}, "slice_rerun": {}, "k_rerun": {}, "volume_k_rerun": None, "crosshair_rerun": {}}
    for page in PAGES:
        at = open_page(None if page == "data" else page)
        result["payload"][page] = sum(len(el.proto.spec) for el in at.get("plotly_chart"))
        result["slice_rerun"][page] = median_rerun(at, lambda _: move_slice(at), (1, 2, 3))
        if page in ("slices", "segment"):  # the crosshair's sliders live in the three-view fragment
            widget = at.slider(key=f"{page}_cross_y")
            result["crosshair_rerun"][page] = median_rerun(at, widget.set_value, (40, 45, 50))
        if page in ("segment", "compare"):
            widget = at.slider(key="k") if page == "segment" else at.number_input(key="kmax")
            result["k_rerun"][page] = median_rerun(at, widget.set_value, (4, 5, 6))
    at = open_page("segment", scope="volume", mode="fast")
    result["volume_k_rerun"] = median_rerun(at, at.slider(key="k").set_value, (4, 5, 6))
    # the whole-volume grid of issue 10: cold (data already loaded), then slice moves over the cached grid
    at = open_page("compare", scope="volume", kmin=2, kmax=2, seeds=1)
    at.number_input(key="kmax").set_value(8)
    result["volume_grid_cold"] = median_rerun(at, at.number_input(key="seeds").set_value, (5,))
    result["volume_grid_slice_rerun"] = median_rerun(at, lambda _: move_slice(at), (1, 2, 3))
    return result


def median_rerun(at, change, values) -> float:
    """Median wall time of a page rerun after ``change(value)``, over ``values``."""
    times = []
    for value in values:
        change(value)
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def move_slice(at) -> None:
    at.slider(key="slice").set_value(at.slider(key="slice").value + 1)


def child_app_figures(data_dir: Path) -> dict:
    env = {**os.environ, "NEUROSEG_DATA_DIR": str(data_dir)}
    done = subprocess.run([sys.executable, __file__, "--app-figures", str(data_dir)], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_app(quick: bool) -> str:
    figures = {"2 mm": child_app_figures(DATA_DIR), "1 mm": child_app_figures(ensure_1mm())}
    payload = table(
        "Chart data each page sends (bytes of Plotly JSON, default view)",
        ["page", "2 mm phantom", "1 mm phantom"],
        [[p, f"{figures['2 mm']['payload'][p] / 1e3:,.0f} kB", f"{figures['1 mm']['payload'][p] / 1e3:,.0f} kB"] for p in PAGES],
    )  # fmt: skip
    rows = []
    for p in PAGES:
        row = [p]
        for size in ("2 mm", "1 mm"):
            f = figures[size]
            row.append(f"{f['slice_rerun'][p] * 1000:.0f} ms")
            row.append(f"{f['k_rerun'][p] * 1000:.0f} ms" if p in f["k_rerun"] else "-")
        rows.append(row)
    rows.append(["segment, whole volume, fast", "-", f"{figures['2 mm']['volume_k_rerun'] * 1000:.0f} ms", "-",
                 f"{figures['1 mm']['volume_k_rerun'] * 1000:.0f} ms"])  # fmt: skip
    rows.append(["compare, whole volume, k 2..8 x 5 seeds: cold grid", "-", s(figures["2 mm"]["volume_grid_cold"]), "-",
                 s(figures["1 mm"]["volume_grid_cold"])])  # fmt: skip
    rows.append(["compare, whole volume, k 2..8 x 5 seeds: slice moved",
                 f"{figures['2 mm']['volume_grid_slice_rerun'] * 1000:.0f} ms", "-",
                 f"{figures['1 mm']['volume_grid_slice_rerun'] * 1000:.0f} ms", "-"])  # fmt: skip
    for p in ("slices", "segment"):
        rows.append([f"{p}: crosshair move (fragment)", f"{figures['2 mm']['crosshair_rerun'][p] * 1000:.0f} ms", "-",
                     f"{figures['1 mm']['crosshair_rerun'][p] * 1000:.0f} ms", "-"])  # fmt: skip
    reruns = table(
        "Server time of a page rerun (AppTest, median of 3; a new slice or k is a cold fit for that setting)",
        ["page", "2 mm: slice moved", "2 mm: k changed", "1 mm: slice moved", "1 mm: k changed"],
        rows,
    )  # fmt: skip
    return payload + "\n" + reruns


# -- 5. memory and concurrent sessions (real server, Playwright) ----------------------------------------------------------


def walk_all_pages(pages, url: str) -> None:
    from neuroseg.testing.browser import settle

    for page in pages:
        page.goto(url)
    for page in pages:
        settle(page)
    for title in ("Slices & histograms", "Joint intensities", "Segment", "Compare k × seeds"):
        for page in pages:
            page.locator("[data-testid=stSidebarNav]").get_by_text(title).click()
        for page in pages:
            settle(page)


def bench_memory(quick: bool) -> str:
    import tempfile

    from playwright.sync_api import sync_playwright

    from neuroseg.testing.browser import CHROMIUM, CHROMIUM_ARGS, PeakMemory, Server, new_page, upload_and_segment

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for sessions in (1, 5):
            server = Server(env={"NEUROSEG_DATA_DIR": str(ensure_1mm())})
            idle = server.rss()
            pages = [new_page(browser, 1000) for _ in range(sessions)]
            with PeakMemory(server.process.pid) as memory:
                start = time.perf_counter()
                walk_all_pages(pages, server.url)
                took = time.perf_counter() - start
            rows.append([f"{sessions} walking all pages, 1 mm sample", f"{idle / 2**20:.0f} MB", f"{memory.peak / 2**20:.0f} MB",
                         s(took), "yes" if server.healthy() else "NO"])  # fmt: skip
            for page in pages:
                page.context.close()
            server.stop()
        server = Server()
        pages = [new_page(browser, 1000) for _ in range(5)]
        with PeakMemory(server.process.pid) as memory, tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            outcomes = upload_and_segment(pages, server.url, Path(folder))
            took = time.perf_counter() - start
        correct = sum(shown == f"{expected:,}" for expected, shown in outcomes)
        rows.append([f"5 uploading two files each and segmenting ({correct}/5 correct)", "-", f"{memory.peak / 2**20:.0f} MB",
                     s(took), "yes" if server.healthy() else "NO"])  # fmt: skip
        server.stop()
        browser.close()
    return table(
        "Server memory (peak resident set size of the streamlit process)",
        ["sessions at once", "server idle", "peak", "wall time", "server up after"],
        rows,
    )  # fmt: skip


# -- 6. tissue model -------------------------------------------------------------------------------------------------

TISSUES = ("CSF", "GM", "WM")
FULL_NAME, FULL_MODEL = "full model (bias + prior + PV)", dict(bias_correct=True, beta=DEFAULT_BETA)
PARTS = [
    ("plain GaussianMixture(3), exact", None),
    ("+ partial volume", dict()),
    ("+ partial volume + bias field", dict(bias_correct=True)),
    ("+ partial volume + spatial prior", dict(beta=DEFAULT_BETA)),
    (FULL_NAME, FULL_MODEL),
    ("bias + prior, no partial volume", dict(bias_correct=True, beta=DEFAULT_BETA, partial_volume=False)),
]


def tissue_phantom(spacing, noise, bias, seed, las=False, crisp=False):
    from neuroseg.testing.phantoms import make_phantom

    fields = []
    t1, t2, truth, _ = make_phantom(spacing, noise, bias, seed, las, fields=fields, crisp=crisp)
    mask = (t1 > 0) & (t2 > 0)
    return np.column_stack([t1[mask], t2[mask]]).astype(np.float64), mask, truth, fields


def tissue_dice(truth, mask, labels) -> list[float]:
    image = np.zeros(mask.shape, np.uint8)
    image[mask] = labels
    return dice_per_tissue(truth, image, TISSUES)["dice"].tolist()


def tissue_labels(X, mask, spacing, **options) -> np.ndarray:
    return fit_tissue_model(X, mask, 3, 12345, spacing=(spacing,) * 3, **options).labels


PHANTOMS = [  # name, noise, bias, seed, stored LAS
    ("9 % noise, strong bias (0.4)", 0.09, 0.4, 1, False), ("9 % noise, strong bias, LAS", 0.09, 0.4, 2, True),
    ("9 % noise, strong bias, seed 5", 0.09, 0.4, 5, False),
    ("4 % noise, milder bias (0.2)", 0.04, 0.2, 3, False), ("4 % noise, milder bias, LAS", 0.04, 0.2, 4, True),
]  # fmt: skip
BETAS = (0.0, 5.0, 10.0, 15.0, 20.0, 30.0)


def bench_tissue(quick: bool) -> str:
    out, rows = [], []
    for name, noise, bias, seed, las in PHANTOMS[: 2 if quick else None]:
        X, mask, truth, _ = tissue_phantom(1.5, noise, bias, seed, las)
        naive, plain, _ = timed(lambda: GaussianMixture(3, random_state=12345).fit(X), 1)
        for part, options in PARTS:
            if options is None:
                labels = fit(FitData(X), 3, 12345, FitOptions(mode="exact")).labels
                seconds = naive
            else:
                seconds, labels, _ = timed(lambda: tissue_labels(X, mask, 1.5, **options), 1)
            d = tissue_dice(truth, mask, labels)
            rows.append([name, f"{len(X):,}", part] + [f"{v:.3f}" for v in d] + [s(seconds), f"{seconds / naive:.1f}x"])
    out.append(table(
        "Tissue model on 1.5 mm T1w + T2w phantoms (atlas anatomy), k = 3 (Dice against the truth; time against one exact sklearn fit)",
        ["phantom", "voxels", "model", "CSF", "GM", "WM", "time", "x exact GaussianMixture(3)"], rows,
    ))  # fmt: skip

    rows = []
    for name, noise, bias, seed, las in PHANTOMS[: 2 if quick else None]:
        X, mask, truth, _ = tissue_phantom(1.5, noise, bias, seed, las, crisp=True)
        plain = tissue_dice(truth, mask, fit(FitData(X), 3, 12345, FitOptions(mode="exact")).labels)
        full = tissue_dice(truth, mask, tissue_labels(X, mask, 1.5, **FULL_MODEL))
        rows.append([name, f"{len(X):,}"] + [f"{p:.3f} / {f:.3f}" for p, f in zip(plain, full)])
    out.append(table(
        "The same phantoms with one brain's crisp anatomy (make_tissue_phantom.py --crisp): plain GaussianMixture(3) / full model",
        ["phantom", "voxels", "CSF", "GM", "WM"], rows,
    ))  # fmt: skip

    X, mask, truth, fields = tissue_phantom(1.5, 0.09, 0.4, 1)
    ceiling = X / np.column_stack([f[mask] for f in fields])
    X3, mask3, truth3, _ = tissue_phantom(3.0, 0.09, 0.4, 5, las=True)
    rows = []
    for beta in BETAS:
        fit = tissue_labels(X, mask, 1.5, bias_correct=True, beta=beta)
        oracle = tissue_labels(ceiling, mask, 1.5, beta=beta)
        coarse = tissue_labels(X3, mask3, 3.0, bias_correct=True, beta=beta)
        rows.append([f"{beta:g}"] + [f"{v:.3f}" for v in tissue_dice(truth, mask, fit)]
                    + [f"{v:.3f}" for v in tissue_dice(truth, mask, oracle)]
                    + [f"{v:.3f}" for v in tissue_dice(truth3, mask3, coarse)])  # fmt: skip
    out.append(table(
        "Dice against the spatial prior's beta (9 % noise, strong bias): 1.5 mm; the same with the true bias removed; "
        "a 3 mm phantom (seed 5, LAS)",
        ["beta", "CSF", "GM", "WM", "CSF (true bias removed)", "GM (true bias removed)", "WM (true bias removed)",
         "CSF (3 mm)", "GM (3 mm)", "WM (3 mm)"], rows,
    ))  # fmt: skip

    X4, mask4, truth4, _ = tissue_phantom(1.5, 0.04, 0.2, 3)
    stack, mni_truth = load_sample("mni152")
    mni = with_mask(stack, resolve_mask("file", stack.channels, stack.reference, load_sample_mask("mni152")))
    mni_features = make_features(mni.channels, Scope("volume"), mni.mask)
    rows = []
    for beta in BETAS:
        phantom = tissue_labels(X4, mask4, 1.5, bias_correct=True, beta=beta)
        template = tissue_labels(mni_features.X, mni_features.mask, mni.zooms[0], bias_correct=True, beta=beta)
        rows.append([f"{beta:g}"] + [f"{v:.3f}" for v in tissue_dice(truth4, mask4, phantom)]
                    + [f"{v:.3f}" for v in tissue_dice(mni_truth, mni_features.mask, template)])  # fmt: skip
    out.append(table(
        "Dice against beta, full model: 4 % noise phantom (left) and nilearn's MNI152 T1 in its brain mask (right)",
        ["beta", "CSF (4 %)", "GM (4 %)", "WM (4 %)", "CSF (MNI)", "GM (MNI)", "WM (MNI)"], rows,
    ))  # fmt: skip

    rows = []
    for noise in (0.02, 0.04, 0.06, 0.09, 0.12):
        X, mask, truth, _ = tissue_phantom(1.5, noise, 0.4, 5)
        plain = tissue_dice(truth, mask, fit(FitData(X), 3, 12345, FitOptions(mode="exact")).labels)
        full = tissue_dice(truth, mask, tissue_labels(X, mask, 1.5, **FULL_MODEL))
        rows.append([f"{noise:.0%}"] + [f"{p:.3f} / {f:.3f}" for p, f in zip(plain, full)])
    out.append(table("Dice against noise (bias 0.4): plain / full model", ["noise", "CSF", "GM", "WM"], rows))

    stack, truth = load_sample("phantom", ensure_1mm())
    features = make_features(stack.channels, Scope("volume"), stack.mask)
    exact, _, _ = timed(lambda: GaussianMixture(3, random_state=12345).fit(features.X), 1)
    seconds, labels, _ = timed(lambda: tissue_labels(features.X, features.mask, stack.zooms[0], **FULL_MODEL), 1)
    d = tissue_dice(truth, features.mask, labels)
    rows = [[FULL_NAME, f"{len(features.X):,}"] + [f"{v:.3f}" for v in d] + [s(seconds), s(exact), f"{seconds / exact:.1f}x"]]
    out.append(table(
        "Tissue model on the 1 mm phantom (T1w + b0, scripts/make_sample_data.py --resolution 1), k = 3",
        ["model", "voxels", "CSF", "GM", "WM", "time", "one exact GaussianMixture(3) fit", "ratio"], rows,
    ))  # fmt: skip

    rows = []
    naive, _, _ = timed(lambda: GaussianMixture(3, random_state=12345).fit(mni_features.X), 1)
    for part, options in PARTS[:5]:
        if options is None:
            labels, seconds = fit(FitData(mni_features.X), 3, 12345, FitOptions(mode="exact")).labels, naive
        else:
            seconds, labels, _ = timed(lambda: tissue_labels(mni_features.X, mni_features.mask, mni.zooms[0], **options), 1)
        d = tissue_dice(mni_truth, mni_features.mask, labels)
        rows.append([part] + [f"{v:.3f}" for v in d] + [s(seconds), f"{seconds / naive:.1f}x"])
    out.append(table(
        f"nilearn's MNI152 T1 (2 mm) inside its brain mask, {len(mni_features.X):,} voxels, against the template's tissue maps",
        ["model", "CSF", "GM", "WM", "time", "x exact GaussianMixture(3)"], rows,
    ))  # fmt: skip
    return "\n".join(out)


SECTIONS = {
    "grid": bench_grid, "segment": bench_segment, "density": bench_density, "app": bench_app, "memory": bench_memory,
    "tissue": bench_tissue,
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sections", nargs="*", help=f"some of {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="skip the slowest baselines")
    parser.add_argument("--app-figures", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app_figures:
        print(json.dumps(app_figures(args.app_figures)))
        return
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, fast mode N = {DEFAULT_MAX_FIT_VOXELS:,}"
    report = [f"## Results ({time.strftime('%Y-%m-%d')}; {machine})", "", "Command: `python benchmarks/run.py " + " ".join(sys.argv[1:]) + "`", ""]
    for name in args.sections or SECTIONS:
        start = time.perf_counter()
        text = SECTIONS[name](args.quick)
        print(text, flush=True)
        report += [text, f"_{name}: measured in {time.perf_counter() - start:.0f} s_", ""]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text("\n".join(report))


if __name__ == "__main__":
    main()
