"""Scores prediction folders of scripts/bench/segment-drive against the DRIVE test annotation, the same way for
every method: NAME.png (mask, foreground where >= 128) and NAME.prob.png (16-bit foreground probability) per
test image; inside the field of view and over all pixels: accuracy, vessel F1, ROC AUC (from the probabilities).
Prints one JSON object per folder.

  python3 score.py TEST_DIR PRED_DIR...
"""
import json
import os
import sys

import numpy as np
from skimage import io


def grey(path):
    # max over the colour channels; an alpha channel (RGBA PNGs) is dropped
    a = io.imread(path)
    a = a.reshape(a.shape[0], a.shape[1], -1)[..., :3]
    return a.max(axis=2)


def auc(scores, truth):
    # exact Mann-Whitney AUC with ties counted one half, on the 16-bit scores
    pos = np.bincount(scores[truth], minlength=65536).astype(np.float64)
    neg = np.bincount(scores[~truth], minlength=65536).astype(np.float64)
    neg_below = np.cumsum(neg) - neg
    return float((pos * (neg_below + neg / 2)).sum() / (pos.sum() * neg.sum()))


def main():
    test_dir = sys.argv[1]
    names = sorted(os.path.splitext(f)[0] for f in os.listdir(os.path.join(test_dir, 'images')))
    truth = {n: grey(os.path.join(test_dir, 'vessels', n + '.png')) >= 128 for n in names}
    fov = {n: grey(os.path.join(test_dir, 'fov', n + '.png')) >= 128 for n in names}
    for pred_dir in sys.argv[2:]:
        res = {'dir': pred_dir}
        for region in ('fov', 'all'):
            t_all, p_all, s_all = [], [], []
            for n in names:
                keep = fov[n] if region == 'fov' else np.ones_like(fov[n])
                t_all.append(truth[n][keep])
                p_all.append(grey(os.path.join(pred_dir, n + '.png'))[keep] >= 128)
                s_all.append(io.imread(os.path.join(pred_dir, n + '.prob.png'))[keep].astype(np.int64))
            t = np.concatenate(t_all)
            p = np.concatenate(p_all)
            s = np.concatenate(s_all)
            tp = int((t & p).sum())
            fp = int((~t & p).sum())
            fn = int((t & ~p).sum())
            res[region] = {'accuracy': float((t == p).mean()), 'f1': 2 * tp / (2 * tp + fp + fn), 'auc': auc(s, t), 'pixels': int(t.size)}
        print(json.dumps(res))


if __name__ == '__main__':
    main()
