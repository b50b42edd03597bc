"""Classifier training and prediction, each as a ratio to a baseline measured in the same run.

Setup (not timed): a store of N labelled synthetic trajectories (`reviewer.synthetic.add_labelled`:
about a third cheat, 40 tasks, one reviewer's verdict each) with the detectors run, as an import
leaves it. Every timed run is a child process of its own, so each starts cold and its peak memory
(maxrss) is its own.

Training. Baseline: the textbook scikit-learn text classifier on the same gold labels, read the
same way (`reviewer.train.data.from_store`, the export in memory): TfidfVectorizer (word
unigrams and bigrams, min_df 2) over each record's channels joined, one LogisticRegression fit.
Measured: `reviewer train` (the same read, three channels of word and character n-grams plus
structural features, 5-fold grouped cross-validation, the learning curve, per-category models,
the final fit, model file, card and report). Ratios: time baseline/train (throughput; below 1 is
slower), memory train/baseline.

Prediction. Baseline: reading and rendering every trajectory of the store (`iter_all` + the
export's `render`), which any scoring of stored trajectories must do. Measured: `reviewer
predict` on all of them (features, model, evidence spans, one suggestion each stored), in one
process and as the command runs it (worker processes from 1,000 trajectories on).
Goal: at least 500 trajectories/s.

    python bench/train_bench.py                    # 20,000 x 20 steps
    python bench/train_bench.py --n 2000
    python bench/train_bench.py --n 4000 --store /tmp/b   # keep them; a second run measures prediction only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GOAL = 500.0

SETUP = """
from reviewer.assist.detectors import store_detections
from reviewer.store import Store
from reviewer.synthetic import add_labelled
with Store(DB) as store:
    add_labelled(store, N, n_steps=STEPS)
    store_detections(store)
"""
BASELINE_TRAIN = """
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from reviewer.store import Store
from reviewer.train.data import Target, from_store
with Store(DB) as store:
    target = Target.cheat(store.taxonomy)
    started = time.perf_counter()
    data = from_store(store, target)
    X = TfidfVectorizer(ngram_range=(1, 2), min_df=2).fit_transform(["\\n".join(e.channels.values()) for e in data.examples])
    LogisticRegression(class_weight="balanced", solver="liblinear").fit(X, data.y)
    seconds = time.perf_counter() - started
"""
TRAIN = """
from reviewer.store import Store
from reviewer.train import modelfile
from reviewer.train.data import Target, from_store
from reviewer.train.train import TrainOptions, train
with Store(DB) as store:
    target = Target.cheat(store.taxonomy)
    started = time.perf_counter()
    trained = train(from_store(store, target), target, TrainOptions(), store.taxonomy.codes("categories"))
    modelfile.save(MODEL, trained.bundle, trained.card)
    seconds = time.perf_counter() - started
    print("auroc", trained.card["metrics"]["auroc"], file=sys.stderr)
"""
BASELINE_PREDICT = """
from reviewer.export.render import render
from reviewer.store import Store
with Store(DB) as store:
    started = time.perf_counter()
    count = sum(len(render(t).text) > 0 for t in store.trajectories.iter_all())
    seconds = time.perf_counter() - started
"""
PREDICT = """
from reviewer.store import Store
from reviewer.train.classifier import Classifier
from reviewer.train.predict import predict
with Store(DB) as store:
    classifier = Classifier.load(MODEL)
    started = time.perf_counter()
    count = len(predict(store, classifier, workers=ARGS["workers"]))
    seconds = time.perf_counter() - started
"""


PRELUDE = """
import json, resource, sys, time
from pathlib import Path
ARGS = json.loads(sys.argv[1])
DB, MODEL, N, STEPS = Path(ARGS["db"]), Path(ARGS["model"]), ARGS["n"], ARGS["steps"]
seconds = 0.0
"""
EPILOGUE = """
print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def child(body: str, args: dict[str, object]) -> tuple[float, float]:
    """Run `body` in a fresh interpreter; its `seconds` and its peak memory in MB (Linux maxrss is KB)."""
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + body + EPILOGUE, json.dumps(args)], capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    sys.stderr.write(done.stderr)
    seconds, peak = done.stdout.split()[-2:]
    return float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument(
        "--store", type=Path, default=None,
        help="Keep the store and model in this folder; when its model.skops exists, measure prediction only"
        " (setup and training done before).",
    )  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.store or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        model = folder / "model.skops"
        names: dict[str, object] = {"db": str(folder / "bench.db"), "model": str(model), "n": args.n, "steps": args.steps}
        if not model.exists():
            train_and_compare(names, args.n, args.steps, model)
        predict_and_compare(names)


def train_and_compare(names: dict[str, object], n: int, steps: int, model: Path) -> None:
    started = time.perf_counter()
    child(SETUP, names)
    print(f"setup: {n:,} labelled trajectories x {steps} steps, detectors run, in {time.perf_counter() - started:.0f} s")
    base_s, base_mb = child(BASELINE_TRAIN, names)
    train_s, train_mb = child(TRAIN, names)
    print(f"baseline train: {base_s:8.1f} s  {base_mb:7.0f} MB peak   (export read, word TF-IDF, one logistic fit)")
    print(f"reviewer train: {train_s:8.1f} s  {train_mb:7.0f} MB peak   (model file {model.stat().st_size / 1e6:.1f} MB)")
    print(f"train ratios: time baseline/train {base_s / train_s:.2f}, memory train/baseline {train_mb / base_mb:.2f}")


def predict_and_compare(names: dict[str, object]) -> None:
    """Prediction against reading and rendering the same store; the suggestions a run stores are
    replaced by the next, so a kept store measures the same work every time."""
    read_s, _ = child(BASELINE_PREDICT, names)
    one_s, _ = child(PREDICT, {**names, "workers": 1})
    predict_s, predict_mb = child(PREDICT, {**names, "workers": None})
    n = int(str(names["n"]))
    print(f"load average {os.getloadavg()[0]:.1f}")
    print(f"baseline read+render: {n / read_s:8.0f} trajectories/s")
    print(f"reviewer predict, one process: {n / one_s:8.0f} trajectories/s")
    print(
        f"reviewer predict:     {n / predict_s:8.0f} trajectories/s  {predict_mb:7.0f} MB peak"
        f"   (goal >= {GOAL:.0f}; workers from 1,000)"
    )
    print(f"predict ratios baseline/predict: {read_s / predict_s:.2f} (one process {read_s / one_s:.2f})")


if __name__ == "__main__":
    main()
