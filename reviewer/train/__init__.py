"""A baseline cheat classifier trained on the gold labels, and the predictions that rank the review queue.

`reviewer train` reads the labelled trajectories as `reviewer export --features` writes them
(`data`, `examples`), counts word and character n-grams per channel and structural features
(`vectorize`), evaluates by cross-validation grouped by task (`evaluation`, `train`) and writes a
skops model file, its card and an HTML report (`modelfile`, `report`). `reviewer predict` loads the
model (`classifier`) and stores one suggestion per trajectory (`predict`). No Qt and no click here.

This module holds only the options' choices and defaults, so the command line can offer them
without importing scikit-learn: `reviewer` starts without it, its submodules import it.
"""

KINDS: tuple[str, ...] = ("logistic", "naive-bayes")
TARGETS: tuple[str, ...] = ("cheat",)
FOLDS = 5
MIN_POSITIVES = 5
THRESHOLD = 0.5
