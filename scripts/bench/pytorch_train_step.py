#!/usr/bin/env python3
"""The peer for `octet bench train`: one fine-tuning step (forward, backward, AdamW) of a BERT
classifier in PyTorch fp32 at batch 32 x sequence 128, vocab 30522, on the CPU.

Written with plain torch modules (Debian's python3-torch has no transformers); the layer
structure and sizes are BERT's. Prints one JSON object: tokens per second (median step) and the
process's peak RSS. Usage: pytorch_train_step.py SIZE THREADS STEPS
"""
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SIZES = {
    "tiny": (2, 128, 2, 512),
    "mini": (4, 256, 4, 1024),
    "small": (4, 512, 8, 2048),
    "base": (12, 768, 12, 3072),
}
BATCH, SEQ, VOCAB = 32, 128, 30522


class Layer(nn.Module):
    def __init__(self, h, heads, ffn):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(h, eps=1e-12), nn.LayerNorm(h, eps=1e-12)
        self.i, self.out = nn.Linear(h, ffn), nn.Linear(ffn, h)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        b, s, h = x.shape
        d = h // self.heads
        split = lambda t: t.view(b, s, self.heads, d).transpose(1, 2)
        scores = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / d ** 0.5
        ctx = (self.drop(scores.softmax(-1)) @ split(self.v(x))).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.drop(self.o(ctx)))
        return self.ln2(x + self.drop(self.out(F.gelu(self.i(x)))))


class Bert(nn.Module):
    def __init__(self, layers, h, heads, ffn):
        super().__init__()
        self.word, self.pos, self.segment = nn.Embedding(VOCAB, h), nn.Embedding(512, h), nn.Embedding(2, h)
        self.ln = nn.LayerNorm(h, eps=1e-12)
        self.layers = nn.ModuleList(Layer(h, heads, ffn) for _ in range(layers))
        self.pooler, self.cls = nn.Linear(h, h), nn.Linear(h, 2)
        self.drop = nn.Dropout(0.1)

    def forward(self, ids):
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        x = self.drop(self.ln(self.word(ids) + self.pos(pos) + self.segment(torch.zeros_like(ids))))
        for layer in self.layers:
            x = layer(x)
        return self.cls(self.drop(torch.tanh(self.pooler(x[:, 0]))))


def main():
    size, threads, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = Bert(*SIZES[size])
    decay = [p for n, p in model.named_parameters() if not (n.endswith("bias") or ".ln" in n or n.startswith("ln"))]
    rest = [p for n, p in model.named_parameters() if n.endswith("bias") or ".ln" in n or n.startswith("ln")]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": rest, "weight_decay": 0.0}], lr=1e-5)
    ids = torch.randint(1000, 30000, (BATCH, SEQ))
    labels = torch.arange(BATCH) % 2
    times = []
    for s in range(steps + 2):
        t0 = time.perf_counter()
        loss = F.cross_entropy(model(ids), labels)
        loss.backward()
        opt.step()
        opt.zero_grad()
        if s >= 2:
            times.append(time.perf_counter() - t0)
    times.sort()
    median = times[len(times) // 2]
    print(json.dumps({
        "size": size, "threads": threads, "steps": steps, "torch": torch.__version__,
        "stepMs": round(median * 1000), "tokensPerSecond": round(BATCH * SEQ / median),
        "peakRssMb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }))


if __name__ == "__main__":
    main()
