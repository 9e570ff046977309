"""The book's benchmark: prints figures, asserts nothing (the machines are shared and noisy).

    python bench/run.py                  # everything (also: make bench)
    python bench/run.py --skip-notebooks # only the micro-benchmarks

1. Each chapter executed in a fresh kernel (nbclient), wall time against the 30 s target.
2. actlib's activations, forward + backward on a 1M-element float32 tensor, against torch's native
   functions: medians of interleaved repeats, printed as ratios (target <= 1.1).
3. The explorer's update time: the median time to render one frame (target < 50 ms).
"""
import argparse
import statistics
import time
from pathlib import Path

import torch

import actlib

ROOT = Path(__file__).resolve().parent.parent
# torch's own modules: the same call path as actlib's (an nn.Module around one fused kernel)
NATIVE = {
    "sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "leaky_relu": torch.nn.LeakyReLU,
    "prelu": torch.nn.PReLU, "elu": torch.nn.ELU, "gelu": torch.nn.GELU, "silu": torch.nn.SiLU,
    "softplus": torch.nn.Softplus,
}


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_once(fn, z, device):
    z.grad = None
    sync(device)
    start = time.perf_counter()
    fn(z).sum().backward()
    sync(device)
    return time.perf_counter() - start


def bench_notebooks():
    import nbformat
    from nbclient import NotebookClient

    print("\n1. Chapters, executed in a fresh kernel (target: under 30 s each)")
    paths = sorted((ROOT / "chapters").glob("*.ipynb"))
    if not paths:
        print("   no notebooks in chapters/")
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
        seconds = time.perf_counter() - start
        print(f"   {path.name:<32} {seconds:6.1f} s   {'PASS' if seconds < 30 else 'FAIL'}")


def bench_activations(device, repeats):
    print(f"\n2. Activations, forward + backward on 1M float32 elements on {device} "
          f"(median of {repeats}; target: ratio <= 1.1)")
    print(f"   {'name':<11} {'actlib ms':>9} {'torch ms':>9} {'ratio':>6}")
    z = torch.randn(1_000_000, device=device, requires_grad=True)
    for name in actlib.activation_names():
        if name not in NATIVE:
            continue
        ours = actlib.get_activation(name).to(device)
        native = NATIVE[name]().to(device)
        for _ in range(3):  # warm up both
            time_once(ours, z, device), time_once(native, z, device)
        a, b = [], []
        for _ in range(repeats):  # interleaved, so both see the same machine state
            a.append(time_once(ours, z, device))
            b.append(time_once(native, z, device))
        ratio = statistics.median(a) / statistics.median(b)
        print(f"   {name:<11} {1e3 * statistics.median(a):9.3f} {1e3 * statistics.median(b):9.3f} "
              f"{ratio:6.2f}  {'PASS' if ratio <= 1.1 else 'FAIL'}")


def bench_explorer(repeats):
    print("\n3. Explorer update: render one frame of an activation plot (target: under 50 ms)")
    z = torch.linspace(-5, 5, 401)

    def draw(fig, negative_slope):
        ax = fig.subplots()
        actlib.plot_activation("leaky_relu", ax, z=z, negative_slope=negative_slope)

    explorer = actlib.explore(draw, {"negative_slope": [0.0, 0.01, 0.1, 0.3]})
    values = explorer.params["negative_slope"]
    explorer.render(negative_slope=values[0])  # warm up
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        explorer.render(negative_slope=values[i % len(values)])
        times.append(time.perf_counter() - start)
    ms = 1e3 * statistics.median(times)
    print(f"   median {ms:.1f} ms over {repeats} renders   {'PASS' if ms < 50 else 'FAIL'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-notebooks", action="store_true", help="only the micro-benchmarks")
    parser.add_argument("--device", default=None, help="cpu, cuda or mps (default: actlib.get_device())")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    device = torch.device(args.device) if args.device else actlib.get_device()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, device {device}")
    if not args.skip_notebooks:
        bench_notebooks()
    bench_activations(device, args.repeats)
    bench_explorer(args.repeats)


if __name__ == "__main__":
    main()
