"""The reference recipe of scripts/bench/segment-drive: scikit-image's trainable segmentation.

multiscale_basic_features (intensity, edges, texture; sigma 1..8; every colour channel) + a scikit-learn
RandomForestClassifier (50 trees, depth 14) on 400 000 pixels sampled from inside the training field of view.
Writes, for every test image, NAME.png (0/255 mask, the forest's argmax) and NAME.prob.png (16-bit foreground
probability), and prints one JSON line with the training and prediction seconds.

  python3 skimage_rf.py TRAIN_DIR TEST_DIR OUT_DIR [--jobs 1] [--seed 1]
"""
import json
import os
import sys
import time

import numpy as np
from skimage import io
from skimage.feature import multiscale_basic_features
from sklearn.ensemble import RandomForestClassifier


def features(img):
    return multiscale_basic_features(img, intensity=True, edges=True, texture=True, sigma_min=1, sigma_max=8, channel_axis=-1)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    opts = dict(zip(sys.argv[1::2], sys.argv[2::2]))
    jobs = int(opts.get('--jobs', '1'))
    seed = int(opts.get('--seed', '1'))
    train_dir, test_dir, out_dir = args[:3]
    os.makedirs(out_dir, exist_ok=True)
    names = sorted(os.path.splitext(f)[0] for f in os.listdir(os.path.join(train_dir, 'images')))
    rng = np.random.default_rng(seed)
    t0 = time.time()
    c0 = time.process_time()
    per_image = 400_000 // len(names)
    xs, ys = [], []
    for n in names:
        img = io.imread(os.path.join(train_dir, 'images', n + '.png'))[..., :3]
        ves = io.imread(os.path.join(train_dir, 'vessels', n + '.png'))
        fov = io.imread(os.path.join(train_dir, 'fov', n + '.png'))
        ves = (ves.reshape(ves.shape[0], ves.shape[1], -1).max(axis=2) >= 128)
        fov = (fov.reshape(fov.shape[0], fov.shape[1], -1).max(axis=2) >= 128)
        f = features(img)
        idx = np.flatnonzero(fov.ravel())
        pick = rng.choice(idx, size=min(per_image, idx.size), replace=False)
        xs.append(f.reshape(-1, f.shape[-1])[pick])
        ys.append(ves.ravel()[pick].astype(np.uint8))
    x = np.concatenate(xs)
    y = np.concatenate(ys)
    clf = RandomForestClassifier(n_estimators=50, max_depth=14, n_jobs=jobs, random_state=seed)
    clf.fit(x, y)
    train_s = time.time() - t0
    train_cpu_s = time.process_time() - c0
    t1 = time.time()
    test_names = sorted(os.path.splitext(f)[0] for f in os.listdir(os.path.join(test_dir, 'images')))
    for n in test_names:
        img = io.imread(os.path.join(test_dir, 'images', n + '.png'))[..., :3]
        f = features(img)
        p = clf.predict_proba(f.reshape(-1, f.shape[-1]))[:, 1].reshape(img.shape[:2])
        io.imsave(os.path.join(out_dir, n + '.png'), ((p > 0.5) * 255).astype(np.uint8), check_contrast=False)
        io.imsave(os.path.join(out_dir, n + '.prob.png'), np.round(p * 65535).astype(np.uint16), check_contrast=False)
    predict_s = time.time() - t1
    print(json.dumps({'train_s': train_s, 'train_cpu_s': train_cpu_s, 'predict_s': predict_s, 'train_pixels': int(y.size), 'features': int(x.shape[1])}))


if __name__ == '__main__':
    main()
