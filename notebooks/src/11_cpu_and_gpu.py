"""Cells of notebooks/11_cpu_and_gpu.ipynb and its Japanese edition (build with: python notebooks/_build.py 11)."""

CELLS = [
    ("md", r"""# The same MLP on the CPU and on a GPU

Moving a model and its data to a GPU is one line each (`model.to("cuda")`, `x.to("cuda")`), and the training loop
does not change. Whether it is faster depends on the machine and on the size of the matrices: a GPU wins by a
large factor on big matrix products and can lose on tiny ones, where launching each kernel costs more than the
arithmetic. This notebook **measures** it on the machine it runs on, and shows nothing it did not measure: without
a GPU (or without CuPy, the GPU array library denpa uses), it says so and skips.""",
     r"""# 同じ MLP を CPU と GPU で

モデルとデータを GPU に移すのはそれぞれ 1 行 (`model.to("cuda")`、`x.to("cuda")`) で、訓練ループは変わりません。
速くなるかどうかは、マシンと行列の大きさ次第です。大きな行列積では GPU が大差で勝ちますが、ごく小さな行列では、
演算そのものよりカーネルを起動する手間のほうが高くつき、負けることもあります。このノートブックは、実行したマシンで
実際に**測定**し、測っていない数字は示しません。GPU がない (あるいは denpa が使う GPU 用配列ライブラリ CuPy がない)
ときは、そう表示して測定を飛ばします。"""),
    ("code", r"""try:
    import autograd
except ImportError:  # opened from notebooks/ without `pip install -e .`: use the checkout one level up
    import os, sys
    sys.path.insert(0, os.path.abspath(".."))
    import autograd

import time

import nn
import optim

F = nn.functional
HAVE_GPU = autograd.cuda.is_available()
print("GPU available:", HAVE_GPU)
if not HAVE_GPU:
    print("No GPU (or no CuPy) on this machine: the timing below is skipped, and no GPU figures are shown.")"""),
    ("md", r"""The model: an MLP 784 → 1024 → 1024 → 10 trained with SGD on random data (the values do not matter for the
timing). We time 20 training steps after 3 warm-up steps, and on the GPU wait for the device to finish
(`autograd.cuda.synchronize()`) before stopping the clock, since GPU work runs asynchronously.""",
     r"""モデルは MLP 784 → 1024 → 1024 → 10 で、ランダムなデータで SGD により訓練します (時間の測定には値の中身は関係ありません)。
3 ステップのウォームアップの後、20 ステップの訓練にかかる時間を測ります。GPU の処理は非同期に進むので、GPU では
時計を止める前にデバイスの終了を待ちます (`autograd.cuda.synchronize()`)。"""),
    ("code", r"""def time_training(device, batch=512, steps=20, warmup=3):
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(),
                          nn.Linear(1024, 10)).to(device)
    opt = optim.SGD(model.parameters(), lr=0.01)
    x = autograd.randn(batch, 784).to(device)
    y = autograd.randint(0, 10, (batch,)).to(device)
    for i in range(warmup + steps):
        if i == warmup:
            if device == "cuda":
                autograd.cuda.synchronize()
            start = time.perf_counter()
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    if device == "cuda":
        autograd.cuda.synchronize()
    return (time.perf_counter() - start) / steps

if HAVE_GPU:
    cpu_s, gpu_s = time_training("cpu"), time_training("cuda")
    print(f"CPU: {cpu_s * 1e3:.1f} ms per step")
    print(f"GPU ({autograd.cuda.get_device_name()}): {gpu_s * 1e3:.1f} ms per step")
    print(f"measured here: the GPU is {cpu_s / gpu_s:.1f} times faster on this MLP")
else:
    print("skipped: no GPU on this machine, so there is nothing to compare.")"""),
    ("md", r"""### What to take away

* The code is the same on both devices; only where the tensors live changes.
* Speed-ups are a property of the machine and the problem size: measure them, on your machine, with the device
  synchronised before the clock stops.""",
     r"""### まとめ

* コードはどちらのデバイスでも同じで、変わるのはテンソルの置き場所だけです。
* 速度の向上はマシンと問題の大きさで決まる性質です。自分のマシンで、時計を止める前にデバイスを同期させて測りましょう。"""),
]

JA_CODE = {
    "opened from notebooks/ without `pip install -e .`: use the checkout one level up":
        "`pip install -e .` せずに notebooks/ から開いたとき: 一つ上のチェックアウトを使う",
    "GPU available:": "GPU の有無:",
    "No GPU (or no CuPy) on this machine: the timing below is skipped, and no GPU figures are shown.":
        "このマシンには GPU (または CuPy) がありません: 以下の時間測定は飛ばし、GPU の数値は示しません。",
    " ms per step": " ミリ秒/ステップ",
    "measured here: the GPU is ": "このマシンでの測定: GPU は ",
    " times faster on this MLP": " 倍速い (この MLP で)",
    "skipped: no GPU on this machine, so there is nothing to compare.": "省略: このマシンには GPU がないので、比べるものがありません。",
}
