#!/usr/bin/env python3
"""PyTorch reference for benchmark 4 (ebm-jem): the same small CNN JEM as scripts/bench/ebm-jem/jem.ts, on CPU with one
thread. Requires Debian's python3-torch (apt-get install python3-torch) and numpy. Written for this project (not copied):
the JEM update follows Grathwohl et al. 2019 (SGLD from a replay buffer, loss = CE + E(x+) - E(x-)).

Prints one JSON object: timings in ms (median) and, after --steps training steps, test accuracy and OOD AUROCs.
"""
import argparse, gzip, json, os, struct, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with (gzip.open(path, 'rb') if path.endswith('.gz') else open(path, 'rb')) as f:
        data = f.read()
    ndims = data[3]
    shape = struct.unpack('>' + 'I' * ndims, data[4:4 + 4 * ndims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims).reshape(shape)


def model(classes=10):
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.SiLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.SiLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.SiLU(), nn.Linear(128, classes))


def auroc(pos, neg):
    s = np.concatenate([pos, neg])
    order = np.argsort(s, kind='mergesort')
    ranks = np.empty(len(s))
    sorted_s = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    m, n = len(pos), len(neg)
    return float((ranks[:m].sum() - m * (m + 1) / 2) / (m * n))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--fashion', required=True)
    p.add_argument('--mnist', required=True)
    p.add_argument('--steps', type=int, default=400)
    p.add_argument('--warmup', type=int, default=200)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--neg-batch', type=int, default=None, help='SGLD samples per JEM step (default: --batch)')
    p.add_argument('--lr', type=float, default=1e-4)
    p.add_argument('--warmup-lr', type=float, default=None)
    p.add_argument('--energy-penalty', type=float, default=0.0)
    p.add_argument('--px-weight', type=float, default=1.0)
    p.add_argument('--sgld-steps', type=int, default=20)
    p.add_argument('--sgld-lr', type=float, default=1.0)
    p.add_argument('--sgld-std', type=float, default=0.01)
    p.add_argument('--buffer', type=int, default=10000)
    p.add_argument('--reinit', type=float, default=0.05)
    p.add_argument('--data-noise', type=float, default=0.03)
    p.add_argument('--flip', type=float, default=0.0, help='probability of flipping a data image left-right')
    p.add_argument('--timing-reps', type=int, default=5)
    p.add_argument('--timing-only', action='store_true', help='print the timings only (no training, no evaluation)')
    p.add_argument('--eval-n', type=int, default=10000)
    p.add_argument('--eval-from', type=int, default=0)
    p.add_argument('--eval-ranges', default=None, help='inclusive image ranges A-B,C-D scored instead of --eval-from/--eval-n')
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--buffer-init', choices=['uniform', 'class-gaussians'], default='uniform')
    a = p.parse_args()
    if a.neg_batch is None:
        a.neg_batch = a.batch
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rs = np.random.RandomState(a.seed)
    to = lambda u8: torch.from_numpy(u8.astype(np.float32) / 127.5 - 1.0).unsqueeze(1)
    xtr = to(read_idx(os.path.join(a.fashion, 'train-images-idx3-ubyte.gz')))
    ytr = torch.from_numpy(read_idx(os.path.join(a.fashion, 'train-labels-idx1-ubyte.gz')).astype(np.int64))
    ranges = [(a.eval_from, a.eval_from + a.eval_n - 1)]
    if a.eval_ranges:
        ranges = [tuple(int(v) for v in r.split('-')) for r in a.eval_ranges.split(',')]
    rows = torch.cat([torch.arange(lo, hi + 1) for lo, hi in ranges])
    xte_all = to(read_idx(os.path.join(a.fashion, 't10k-images-idx3-ubyte.gz')))
    rows = rows[rows < len(xte_all)]
    xte = xte_all[rows]
    yte = torch.from_numpy(read_idx(os.path.join(a.fashion, 't10k-labels-idx1-ubyte.gz')).astype(np.int64))[rows]
    xood = to(read_idx(os.path.join(a.mnist, 't10k-images-idx3-ubyte.gz')))[rows]
    f = model()
    opt = torch.optim.Adam(f.parameters(), lr=a.lr)
    if a.buffer_init == 'uniform':
        noise = lambda n: torch.rand(n, 1, 28, 28) * 2 - 1
    else:
        # JEM++'s informative initialisation: one Gaussian per class (covariance + 0.01 I), weights = class frequencies.
        flat = xtr.reshape(len(xtr), -1).double()
        comps = []
        for k in range(10):
            xk = flat[ytr == k]
            mu = xk.mean(0)
            cov = torch.cov(xk.T) + 0.01 * torch.eye(flat.shape[1], dtype=torch.float64)
            comps.append((mu, torch.linalg.cholesky(cov), len(xk) / len(flat)))
        probs = torch.tensor([c[2] for c in comps])
        def noise(n):
            ks = torch.multinomial(probs, n, replacement=True)
            out = torch.stack([comps[k][0] + comps[k][1] @ torch.randn(flat.shape[1], dtype=torch.float64) for k in ks.tolist()])
            return out.clamp(-1, 1).float().reshape(n, 1, 28, 28)
    buf = noise(a.buffer)
    energy = lambda x: -torch.logsumexp(f(x), 1)

    def batch():
        idx = torch.from_numpy(rs.randint(0, len(ytr), a.batch))
        x = xtr[idx]
        if a.flip > 0:
            m = torch.from_numpy(rs.rand(a.batch) < a.flip)
            x[m] = torch.flip(x[m], dims=[3])
        return x + a.data_noise * torch.randn(a.batch, 1, 28, 28), ytr[idx]

    def sgld(x0, steps):
        x = x0.clone().requires_grad_(True)
        for _ in range(steps):
            g = torch.autograd.grad(energy(x).sum(), [x])[0]
            x = (x - a.sgld_lr * g + a.sgld_std * torch.randn_like(x)).detach().requires_grad_(True)
        return x.detach()

    def draw():
        idx = torch.from_numpy(rs.randint(0, a.buffer, a.neg_batch))
        x0 = buf[idx]
        fresh = torch.from_numpy(rs.rand(a.neg_batch) < a.reinit)
        if int(fresh.sum()) > 0:
            x0[fresh] = noise(int(fresh.sum()))
        return x0, idx

    def step(jem):
        x, y = batch()
        t0 = time.perf_counter()
        if jem:
            x0, idx = draw()
            xq = sgld(x0, a.sgld_steps)
            buf[idx] = xq
        t1 = time.perf_counter()
        if jem:
            logits = f(torch.cat([x, xq]))
            lp, lq = logits[:a.batch], logits[a.batch:]
            e_pos, e_neg = -torch.logsumexp(lp, 1).mean(), -torch.logsumexp(lq, 1).mean()
            loss = F.cross_entropy(lp, y) + a.px_weight * (e_pos - e_neg)
            if a.energy_penalty > 0:
                loss = loss + a.energy_penalty * (e_pos ** 2 + e_neg ** 2)
        else:
            loss = F.cross_entropy(f(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return (t1 - t0) * 1e3, (time.perf_counter() - t1) * 1e3, float(loss)

    # Timings (on the freshly initialised model; the training run below starts from here too).
    # Each kind's first call is a warm-up, not counted (as on the ebmkit side); CPU ms (process time) of the whole call
    # next to the wall ms (the supervised step's wall ms: the update alone, as trainJem's updateMs).
    cpu = time.process_time
    step(False)
    sup, sup_cpu = [], []
    for _ in range(a.timing_reps):
        c = cpu(); sup.append(step(False)[1]); sup_cpu.append((cpu() - c) * 1e3)
    x0, _ = draw()
    sgld(x0, 1)
    sg, sg_cpu = [], []
    for _ in range(a.timing_reps):
        c = cpu(); t0 = time.perf_counter(); sgld(x0, 1); sg.append((time.perf_counter() - t0) * 1e3); sg_cpu.append((cpu() - c) * 1e3)
    step(True)
    full, full_cpu = [], []
    for _ in range(a.timing_reps):
        c = cpu(); t0 = time.perf_counter(); step(True); full.append((time.perf_counter() - t0) * 1e3); full_cpu.append((cpu() - c) * 1e3)
    timings = {
        'ms_supervised_step': float(np.median(sup)), 'ms_sgld_step': float(np.median(sg)), 'ms_jem_step': float(np.median(full)),
        'cpu_ms_supervised_step': float(np.median(sup_cpu)), 'cpu_ms_sgld_step': float(np.median(sg_cpu)), 'cpu_ms_jem_step': float(np.median(full_cpu)),
    }
    if a.timing_only:
        print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), **timings}))
        return
    t_train = time.perf_counter()
    for s in range(a.steps):
        if a.warmup_lr is not None:
            for g in opt.param_groups:
                g['lr'] = a.warmup_lr if s < a.warmup else a.lr
        step(s >= a.warmup)
    train_s = time.perf_counter() - t_train

    @torch.no_grad()
    def scores_nograd(x):
        out = []
        for i in range(0, len(x), 500):
            out.append(f(x[i:i + 500]))
        return torch.cat(out)

    def grad_norms(x):
        out = []
        for i in range(0, len(x), 500):
            xb = x[i:i + 500].clone().requires_grad_(True)
            g = torch.autograd.grad(torch.logsumexp(f(xb), 1).sum(), [xb])[0]
            out.append(g.flatten(1).norm(dim=1))
        return torch.cat(out).numpy()

    li, lo = scores_nograd(xte), scores_nograd(xood)
    acc = float((li.argmax(1) == yte).float().mean())
    res = {
        'torch': torch.__version__, 'threads': torch.get_num_threads(),
        **timings,
        'steps': a.steps + 2 * a.timing_reps + 2, 'train_seconds': train_s, 'accuracy': acc,
        'auroc_logpx': auroc(torch.logsumexp(li, 1).numpy(), torch.logsumexp(lo, 1).numpy()),
        'auroc_maxprob': auroc(F.softmax(li, 1).max(1)[0].numpy(), F.softmax(lo, 1).max(1)[0].numpy()),
        'auroc_gradnorm': auroc(-grad_norms(xte), -grad_norms(xood)),
    }
    print(json.dumps(res))


if __name__ == '__main__':
    main()
