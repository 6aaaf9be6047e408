"""scikit-learn side of the ebm-rbm benchmark (run by run.ts; needs Debian's python3-sklearn).

  /usr/bin/python3 sklearn_rbm.py digits SPLIT.json   -> JSON: RBM-feature and raw-pixel accuracy, RBM fit seconds
  /usr/bin/python3 sklearn_rbm.py fashion SPEC.json   -> JSON per dtype: seconds per epoch (wall and process CPU), test pseudo-likelihood

The digits task is scikit-learn's example "Restricted Boltzmann Machine features for digit classification"
(nudge_dataset, minmax_scale, BernoulliRBM(n_components=100, learning_rate=0.06, n_iter=10, batch_size=10,
random_state=0), LogisticRegression(solver='newton-cg', tol=1, C=6000; raw pixels C=100)), except that the
80/20 split is the one run.ts drew (its indices in SPLIT.json), so both sides see the same rows.
Single-threaded BLAS is forced through the environment by run.ts (OPENBLAS_NUM_THREADS=1 etc.).
"""
import gzip
import json
import sys
import time

import numpy as np
from scipy.ndimage import convolve
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import minmax_scale


def nudge_dataset(X, Y):
    direction_vectors = [
        [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 0], [0, 1, 0]],
    ]

    def shift(x, w):
        return convolve(x.reshape((8, 8)), mode="constant", weights=w).ravel()

    X = np.concatenate([X] + [np.apply_along_axis(shift, 1, X, vector) for vector in direction_vectors])
    Y = np.concatenate([Y for _ in range(5)], axis=0)
    return X, Y


def digits(split_file):
    with open(split_file) as f:
        split = json.load(f)
    raw = np.loadtxt(gzip.open(split["csv"], "rt"), delimiter=",")
    X, y = raw[:, :-1], raw[:, -1].astype(int)
    X, Y = nudge_dataset(X, y)
    X = minmax_scale(X, feature_range=(0, 1))
    tr, te = np.array(split["train"]), np.array(split["test"])
    X_train, X_test, Y_train, Y_test = X[tr], X[te], Y[tr], Y[te]
    logistic = LogisticRegression(solver="newton-cg", tol=1, C=6000)
    rbm = BernoulliRBM(random_state=0, n_components=100, learning_rate=0.06, n_iter=10, batch_size=10)
    clf = Pipeline(steps=[("rbm", rbm), ("logistic", logistic)])
    t = time.perf_counter()
    rbm.fit(X_train)
    fit_seconds = time.perf_counter() - t
    clf.fit(X_train, Y_train)  # refits the RBM the same way (same random_state), then the logistic regression
    acc = float((clf.predict(X_test) == Y_test).mean())
    raw_lr = LogisticRegression(solver="newton-cg", tol=1, C=100.0).fit(X_train, Y_train)
    raw_acc = float((raw_lr.predict(X_test) == Y_test).mean())
    return {"accuracy": acc, "raw_accuracy": raw_acc, "rbm_fit_seconds": fit_seconds}


def load_idx(path, offset):
    with gzip.open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


def fashion(spec_file):
    with open(spec_file) as f:
        spec = json.load(f)
    d = spec["dir"]
    x_train = (load_idx(d + "/train-images-idx3-ubyte.gz", 16).reshape(-1, 784) / 255.0 > 0.5).astype(np.float64)
    x_test = (load_idx(d + "/t10k-images-idx3-ubyte.gz", 16).reshape(-1, 784) / 255.0 > 0.5).astype(np.float64)
    epochs = int(spec["epochs"])
    out = {}
    for dtype in spec.get("dtypes", ["float64"]):
        rbm = BernoulliRBM(n_components=500, learning_rate=0.01, batch_size=100, n_iter=epochs, random_state=0)
        x = x_train.astype(dtype)
        t = time.perf_counter()
        c = time.process_time()
        rbm.fit(x)
        cpu = time.process_time() - c
        out[dtype] = {"seconds_per_epoch": (time.perf_counter() - t) / epochs, "cpu_seconds_per_epoch": cpu / epochs,
                      "pseudo_likelihood": float(rbm.score_samples(x_test.astype(dtype)).mean())}
    return out


if __name__ == "__main__":
    task, arg = sys.argv[1], sys.argv[2]
    out = digits(arg) if task == "digits" else fashion(arg)
    print(json.dumps(out))
