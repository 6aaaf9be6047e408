#!/usr/bin/env python3
"""OpenCV grabCut on a list of (image, mask) pairs with the mask's bounding box as rectangle.

Reads a JSON list of {"name", "image", "mask"} from argv[1]; prints one JSON line per image with the error
(fraction of pixels wrong over the whole image) and the grabCut time in milliseconds. Images are resized to the
mask size first (as the TypeScript side does). Needs Debian's python3-opencv (run with /usr/bin/python3).
"""
import json
import sys
import time

import cv2
import numpy as np


def main():
    items = json.load(open(sys.argv[1]))
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    cv2.setNumThreads(1)
    for it in items:
        mask_img = cv2.imread(it["mask"], cv2.IMREAD_GRAYSCALE)
        truth = (mask_img >= 128).astype(np.uint8)
        img = cv2.imread(it["image"], cv2.IMREAD_COLOR)
        h, w = truth.shape
        if img.shape[0] != h or img.shape[1] != w:
            img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
        x, y, bw, bh = it["rect"]
        mask = np.zeros((h, w), np.uint8)
        bgd = np.zeros((1, 65), np.float64)
        fgd = np.zeros((1, 65), np.float64)
        t0 = time.perf_counter()
        cv2.grabCut(img, mask, (x, y, bw, bh), bgd, fgd, iters, cv2.GC_INIT_WITH_RECT)
        ms = (time.perf_counter() - t0) * 1000
        pred = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.uint8)
        err = float(np.mean(pred != truth))
        print(json.dumps({"name": it["name"], "error": err, "ms": ms}), flush=True)


if __name__ == "__main__":
    main()
