"""The book's benchmark: a plain-text report that asserts nothing (machines are shared
and noisy).

    python bench/run.py                  # everything (also: make bench)
    python bench/run.py --skip-notebooks # only the micro-benchmarks
    python bench/run.py --device cuda    # the activations on another device

1. Each chapter executed top to bottom in a fresh kernel (nbclient), as the site build
   runs it (``ACTLIB_STATIC_SITE=1``: every explorer frame is rendered; ``--live`` runs
   it as Jupyter does), wall time against the 30 s target, and its slowest cell that a
   reader sees (not tagged ``remove-cell``) against the 3 s target of a live run.
2. actlib's activations against torch's own modules, forward + backward on a 1M-element
   float32 tensor: medians of interleaved repeats, so both see the same machine state;
   target ratio <= 1.1. On the CPU one thread by default (``--threads``): a ratio of two
   kernels needs no parallelism.
3. The explorer's update as a reader sees it: the median time from moving the live
   widget's slider to a position not shown yet until its Image holds the new PNG, for a
   typical explorer (an activation plot with a slider, in the book's style); < 50 ms.
4. Trials side by side: K = 64 small MLPs (64-64-10 on the digits, a few epochs, one
   learning rate each) trained three ways in one run: by ``actlib.fit_trials``, by
   PyTorch's model-ensembling recipe (``torch.func.stack_module_state`` +
   ``vmap(grad(...))`` + a plain SGD step, written here), and one after another with
   ``actlib.fit``. Ratios against the loop (targets: fit_trials >= 8x on one thread,
   >= 12x on every core) and fit_trials against the recipe; then the FLOP/s fit_trials
   achieves against the device's own large matrix product (2048 x 2048 float32). On the
   CPU it runs twice: on one thread (``--threads``), and on all the cores torch uses by
   default (all sides get the same threads; a loop of tiny networks cannot use a second
   core, one batched training can, which is the point of training trials side by side).
"""

import argparse
import copy
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/run.py` from a checkout, installed or not
import actlib  # noqa: E402

NOTEBOOK_TARGET_S = 30.0
CELL_TARGET_S = 3.0  # a visible cell, run live
RATIO_TARGET = 1.1
RENDER_TARGET_MS = 50.0
TRIALS_TARGET = {1: 8.0, "all": 12.0}  # fit_trials / the loop: one thread, all cores
REPEATS_TRIALS = 5  # interleaved (loop, batched, recipe) timings; the machine is noisy


def verdict(ok):
    return "PASS" if ok else "FAIL"


# --- 1. chapters ----------------------------------------------------------------------


def bench_notebooks(live):
    import nbformat
    from nbclient import NotebookClient

    mode = "live (as Jupyter)" if live else "as the site build (ACTLIB_STATIC_SITE=1)"
    print(
        f"\n1. Chapters, each in a fresh kernel, {mode}; "
        f"target: under {NOTEBOOK_TARGET_S:.0f} s"
    )
    paths = sorted((ROOT / "chapters").glob("*.ipynb"))
    if not paths:
        print("   no notebooks in chapters/")
        return
    saved = os.environ.get("ACTLIB_STATIC_SITE")
    os.environ["ACTLIB_STATIC_SITE"] = "0" if live else "1"  # the kernel inherits it
    try:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            cell_times = {}  # index of a visible cell -> its seconds

            def started(cell, cell_index, **_):
                cell_times[cell_index] = -time.perf_counter()

            def finished(cell, cell_index, **_):
                if "remove-cell" in cell.metadata.get("tags", []):
                    cell_times.pop(cell_index, None)
                elif cell_index in cell_times:
                    cell_times[cell_index] += time.perf_counter()

            client = NotebookClient(
                nb,
                timeout=600,
                kernel_name="python3",
                resources={"metadata": {"path": str(path.parent)}},
                on_cell_execute=started,
                on_cell_executed=finished,
            )
            start = time.perf_counter()
            try:
                client.execute(
                    stderr=subprocess.DEVNULL
                )  # the kernel's start-up warnings
                error = ""
            except Exception as e:  # a benchmark reports, it does not stop
                last = (str(e).strip().splitlines() or [""])[-1]
                error = f"   {type(e).__name__}: {last[:100]}"
            seconds = time.perf_counter() - start
            slowest = max(cell_times.items(), key=lambda kv: kv[1], default=(None, 0))
            cell_ok = slowest[1] < CELL_TARGET_S or not live
            print(
                f"   {path.name:<28} {seconds:6.1f} s   slowest visible cell "
                f"{slowest[1]:5.2f} s (cell {slowest[0]})   "
                f"{verdict(seconds < NOTEBOOK_TARGET_S and cell_ok and not error)}"
                f"{error}"
            )
    finally:
        if saved is None:
            os.environ.pop("ACTLIB_STATIC_SITE", None)
        else:
            os.environ["ACTLIB_STATIC_SITE"] = saved


# --- 2. activations against torch -----------------------------------------------------

# torch's native modules, the counterpart each activation class declares: the same call
# path as actlib's (an nn.Module around torch's kernels)
NATIVE = {name: cls.torch_class for name, cls in actlib.activations.ACTIVATIONS.items()}


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()
    elif device.type == "mps":
        torch.mps.synchronize()


def timed(module, z, grad, device, inner):
    """Seconds of one forward + backward of ``module`` at ``z``, mean of ``inner``."""
    sync(device)
    start = time.perf_counter()
    for _ in range(inner):
        torch.autograd.grad(module(z), z, grad)
    sync(device)
    return (time.perf_counter() - start) / inner


def bench_activations(device, repeats, threads):
    default_threads = torch.get_num_threads()
    torch.set_num_threads(threads or default_threads)
    try:
        _bench_activations(device, repeats)
    finally:
        torch.set_num_threads(default_threads)


def _bench_activations(device, repeats):
    # One CPU thread by default: a ratio of two kernels needs no parallelism, and on a
    # shared machine a parallel kernel waits for its slowest thread (10-20 ms stalls
    # that drown the difference).
    cpu = f"cpu, {torch.get_num_threads()} thread(s)"
    where = f"{device}" if device.type != "cpu" else cpu
    print(
        "\n2. Activations against torch, forward + backward on 1M float32 elements "
        f"on {where}\n"
        f"   (medians of {repeats} interleaved repeats; ratio: the median ratio of "
        "pairs timed back to\n"
        f"   back, target <= {RATIO_TARGET}; best: the ratio of the fastest repeats, "
        "a cross-check)"
    )
    columns = f"{'actlib ms':>9} {'torch ms':>9} {'ratio':>6}        {'best':>5}"
    print(f"   {'name':<11} {columns}")
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(1_000_000, generator=gen).to(device).requires_grad_()
    # dL/da: the backward pass of a plain sum, without the sum's own kernels
    grad = torch.ones_like(z)
    for name in actlib.activation_names():
        if NATIVE[name] is None:  # nothing in torch.nn to compare with
            print(f"   {name:<11} (no torch module)")
            continue
        ours = actlib.get_activation(name).to(device)
        native = NATIVE[name]().to(device)
        for _ in range(3):  # warm up both
            timed(ours, z, grad, device, 1), timed(native, z, grad, device, 1)
        # about 5 ms a sample
        inner = round(5e-3 / max(timed(native, z, grad, device, 3), 1e-6))
        inner = max(1, min(50, inner))
        a, b = [], []
        # interleaved, alternating who goes first: both see the same machine
        for i in range(repeats):
            pairs = ((ours, a), (native, b))
            first, second = pairs if i % 2 == 0 else pairs[::-1]
            first[1].append(timed(first[0], z, grad, device, inner))
            second[1].append(timed(second[0], z, grad, device, inner))
        ms_ours, ms_native = 1e3 * statistics.median(a), 1e3 * statistics.median(b)
        ratio = statistics.median(x / y for x, y in zip(a, b))  # of back-to-back pairs
        print(
            f"   {name:<11} {ms_ours:9.3f} {ms_native:9.3f} {ratio:6.2f}  "
            f"{verdict(ratio <= RATIO_TARGET)}  {min(a) / min(b):5.2f}"
        )


# --- 3. explorer update ---------------------------------------------------------------


def bench_explorer(repeats):
    print(
        "\n3. Explorer update: move the live slider of an activation plot to a "
        f"position not shown yet; target: under {RENDER_TARGET_MS:.0f} ms"
    )
    actlib.use_book_style()  # as every chapter's setup cell
    z = torch.linspace(-5, 5, 401)

    def draw_anew(fig, negative_slope):  # every frame drawn on an empty figure
        ax = fig.subplots()
        actlib.plot_activation("leaky_relu", ax, z=z, negative_slope=negative_slope)

    def draw(fig, negative_slope):  # as the chapter's explorer: curves moved in place
        draw_anew(fig, negative_slope)
        ax = fig.axes[0]

        def update(negative_slope):
            actlib.update_activation(ax, "leaky_relu", negative_slope=negative_slope)

        return update

    slopes = [0.0, 0.01, 0.05, 0.1, 0.2, 0.3]
    for label, function in (("in place", draw), ("drawn anew", draw_anew)):
        explorer = actlib.explore(function, {"negative_slope": slopes})
        start = time.perf_counter()
        explorer.render()  # the first frame also runs the layout engine
        first_ms = 1e3 * (time.perf_counter() - start)
        others = [v for v in slopes if v != explorer.initial["negative_slope"]]
        times, revisits = [], []
        while len(times) < repeats:
            slider = explorer.widget().children[0]  # a new widget: only its 1st frame
            for value in others:  # a sweep: each position drawn once, as first seen
                start = time.perf_counter()
                slider.value = value  # draws the frame, hands its PNG to the Image
                times.append(time.perf_counter() - start)
        for value in slopes * 5:  # back over shown positions: the widget kept them
            start = time.perf_counter()
            slider.value = value
            revisits.append(time.perf_counter() - start)
        ms, kept = 1e3 * statistics.median(times), 1e3 * statistics.median(revisits)
        target = (
            f"   {verdict(ms < RENDER_TARGET_MS)}"
            if function is draw
            else " (draw returns no update)"
        )
        print(
            f"   {label}: first frame {first_ms:.1f} ms; then median {ms:.1f} ms over "
            f"{len(times)} updates (min {1e3 * min(times):.1f}){target}"
        )
    print(f"   back to a position shown before: median {kept:.2f} ms (its kept frame)")
    start = time.perf_counter()
    page = explorer.static_html()
    seconds, kb = time.perf_counter() - start, len(page) / 1024
    print(
        f"   static version: {len(slopes)} frames in {seconds:.2f} s, {kb:.0f} kB of "
        f"HTML ({kb / len(slopes):.1f} kB a frame)"
    )


# --- 4. trials side by side -----------------------------------------------------------


def bench_trials(device, threads, K=64, epochs=3):
    default_threads = torch.get_num_threads()
    torch.set_num_threads(threads or default_threads)
    try:
        _bench_trials(device, K, epochs)
    finally:
        torch.set_num_threads(default_threads)


def _recipe_trials(sizes, X, y, lr, epochs, batch_size=64, seed=0):
    """PyTorch's model-ensembling recipe: the K networks' parameters stacked by
    ``torch.func.stack_module_state``, per-trial gradients by ``vmap(grad(...))`` over
    ``functional_call``, and a plain SGD step (the same shuffling, training and
    train-set evaluation after each epoch as ``fit_trials``); returns the parameters."""
    from torch.func import functional_call, grad, stack_module_state, vmap

    F = torch.nn.functional
    device = X.device
    nets = [
        actlib.mlp(sizes, generator=torch.Generator().manual_seed(0)).to(device)
        for _ in lr
    ]
    params, _ = stack_module_state(nets)  # name -> (K, ...) tensor
    params = {name: p.detach() for name, p in params.items()}  # stepped in place
    base = copy.deepcopy(nets[0]).to("meta")  # the architecture, without storage

    def loss(p, Xb, yb):  # one trial's mean cross-entropy
        return F.cross_entropy(functional_call(base, p, (Xb,)), yb)

    grads_of = vmap(grad(loss), in_dims=(0, None, None))  # every trial at once
    logits_of = vmap(functional_call, in_dims=(None, 0, None))
    lr = lr.to(device, torch.float32)
    generator = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator).to(device)
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            grads = grads_of(params, X[idx], y[idx])
            for name, p in params.items():  # theta_k <- theta_k - lr_k g_k
                view = (-1,) + (1,) * (p.dim() - 1)
                p.sub_(lr.view(view) * grads[name])
        with torch.no_grad():  # the train-set evaluation, as fit_trials does
            logits = logits_of(base, params, (X,))  # (K, N, C)
            F.cross_entropy(logits.transpose(1, 2), y.expand(len(lr), -1))
            (logits.argmax(-1) == y).float().mean(1)
    return params


def _bench_trials(device, K, epochs):
    sizes = [64, 64, 10]
    threads = torch.get_num_threads()
    where = f"{device}" if device.type != "cpu" else f"cpu, {threads} thread(s)"
    target = TRIALS_TARGET[1 if threads == 1 else "all"]
    print(
        f"\n4. Trials side by side: K = {K} MLPs {'-'.join(map(str, sizes))} on the "
        f"digits, {epochs} epochs, batch 64, on {where}\n   (the same {K} trials in "
        "one fit_trials call, in the torch.func recipe and in a Python loop of "
        f"actlib.fit; target: fit_trials >= {target:.0f}x the loop)"
    )
    # no validation set: training is what is timed
    X, y, _, _ = (t.to(device) for t in actlib.load_digits())
    lr = actlib.log_uniform(1e-3, 1.0, K, generator=torch.Generator().manual_seed(0))

    def timed_run(train):
        sync(device)
        start = time.perf_counter()
        train()
        sync(device)
        return time.perf_counter() - start

    def batched():
        actlib.fit_trials(sizes, X, y, lr=lr, epochs=epochs)

    def recipe():
        _recipe_trials(sizes, X, y, lr, epochs)

    def loop():
        for k in range(K):
            gen = torch.Generator().manual_seed(0)
            net = actlib.mlp(sizes, generator=gen).to(device)
            actlib.fit(net, X, y, lr=float(lr[k]), epochs=epochs, progress=False)

    actlib.fit_trials(sizes, X, y, lr=lr, epochs=1)  # warm up all three
    _recipe_trials(sizes, X, y, lr, 1)
    actlib.fit(actlib.mlp(sizes).to(device), X, y, epochs=1, progress=False)
    # interleaved: all three see the same machine
    runs = [
        tuple(timed_run(f) for f in (loop, batched, recipe))
        for _ in range(REPEATS_TRIALS)
    ]
    t_loop, t_batched, t_recipe = (
        statistics.median(r[i] for r in runs) for i in range(3)
    )
    ratio = statistics.median(a / b for a, b, _ in runs)
    ratio_recipe = statistics.median(a / c for a, _, c in runs)
    vs_recipe = statistics.median(c / b for _, b, c in runs)
    print(
        f"   loop of fit {t_loop:7.2f} s   fit_trials {t_batched:6.2f} s   "
        f"torch.func recipe {t_recipe:6.2f} s\n"
        f"   fit_trials {ratio:5.1f}x the loop   {verdict(ratio >= target)}\n"
        f"   recipe     {ratio_recipe:5.1f}x the loop\n"
        f"   fit_trials {vs_recipe:5.2f}x the recipe (recipe time / fit_trials time)\n"
        f"   (medians of {REPEATS_TRIALS} interleaved runs; per run, loop / fit_trials "
        f"{', '.join(f'{a / b:.1f}' for a, b, _ in runs)}; recipe / fit_trials "
        f"{', '.join(f'{c / b:.2f}' for _, b, c in runs)})"
    )
    # FLOPs of the matrix products of the training steps only
    flops = actlib.trial_flops(sizes, K, len(X), epochs)
    A = torch.randn(2048, 2048, device=device)
    A @ A
    sync(device)
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < 1.0 or n < 3:
        A @ A
        n += 1
    sync(device)
    gemm = 2 * 2048**3 * n / (time.perf_counter() - start)
    print(
        f"   fit_trials {flops / t_batched / 1e9:7.2f} GFLOP/s, 2048 x 2048 matmul "
        f"{gemm / 1e9:7.1f} GFLOP/s: {100 * flops / t_batched / gemm:.1f}% of it\n"
        "   (FLOPs: 3 x 2KN sum d_in d_out per epoch; the training-set evaluation "
        "after each epoch, done by all, is timed but not counted)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--skip-notebooks", action="store_true", help="only the micro-benchmarks"
    )
    parser.add_argument(
        "--live",
        action="store_true",
        help="run the chapters as Jupyter does, not as the site build",
    )
    parser.add_argument(
        "--device", default=None, help="cpu, cuda or mps (default: actlib.get_device())"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=30,
        help="timed repeats per measurement (default: 30)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch's CPU threads for the activations and the trials "
        "(default: 1; 0: torch's choice)",
    )
    args = parser.parse_args()
    device = torch.device(args.device) if args.device else actlib.get_device()
    print(
        f"actlib {actlib.__version__}, torch {torch.__version__}, "
        f"Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, device {device}"
    )
    if not args.skip_notebooks:
        bench_notebooks(args.live)
    bench_activations(device, max(1, args.repeats), args.threads)
    bench_explorer(max(1, args.repeats))
    bench_trials(device, args.threads)
    if device.type == "cpu" and torch.get_num_threads() not in (1, args.threads):
        bench_trials(device, torch.get_num_threads())  # every core, for both sides


if __name__ == "__main__":
    main()
