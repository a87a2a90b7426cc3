"""The memory pass's gate MLP in training as one autograd node with a hand-written backward.

Written with autograd (EpisodicMemory.gate_logits), a pass's gate is about 35 small
operations forward and as many nodes backward, among them the seven column blocks of the
first layer's weight, each of which autograd turns back into a zero-filled gradient of the
whole matrix. Here it is a dozen operations each way: the memory-dependent features are
concatenated and multiplied by their columns of W1 at once, and the backward pass writes
W1's gradient once. Same equations, so the same gradients up to float rounding (checked in
tests/test_fused.py); it runs where the compiled GRU does (askme.dmn.gru.native_applies), and
ASKME_NATIVE=0 keeps the autograd form that trained the shipped model.

z's memory part for a fact c and memory m (the question part is `static`, computed once):
    hidden = static + W_m m + W_cm (c∘m) + W_|cm| |c − m| + w_bm (cᵀW m) + W_t time
    logit = w2 · tanh(hidden) + b2
"""

from __future__ import annotations

import torch


class GatePass(torch.autograd.Function):
    @staticmethod
    def forward(ctx, c, static, cW, m, time, W1, w2, b2):
        # c, cW (B, N, H); static (B, N, G); m (B, H); time (B, N, 2); W1 (G, 7H + 4);
        # w2 (1, G); b2 (1,). Returns logits (B, N).
        H = c.size(-1)
        mu = m.unsqueeze(1)  # (B, 1, H)
        diff = c - mu
        features = torch.cat([c * mu, diff.abs(), (cW * mu).sum(-1, keepdim=True), time], -1)
        W_dyn = torch.cat([W1[:, 4 * H:5 * H], W1[:, 6 * H:7 * H], W1[:, 7 * H + 1:]], 1)
        W_m = W1[:, H:2 * H]
        hidden = static + (m @ W_m.t()).unsqueeze(1) + features @ W_dyn.t()  # (B, N, G)
        a = torch.tanh(hidden)
        logits = (a @ w2.squeeze(0)) + b2  # (B, N)
        ctx.save_for_backward(c, cW, m, diff, features, a, W1, W_dyn, w2)
        return logits

    @staticmethod
    def backward(ctx, d_logits):
        c, cW, m, diff, features, a, W1, W_dyn, w2 = ctx.saved_tensors
        H, G = c.size(-1), a.size(-1)
        d_w2 = (d_logits.unsqueeze(-1) * a).sum((0, 1)).unsqueeze(0)  # (1, G)
        d_b2 = d_logits.sum().reshape(1)
        dh = d_logits.unsqueeze(-1) * w2.squeeze(0) * (1 - a * a)  # (B, N, G)
        dh_m = dh.sum(1)  # (B, G): W_m m is the same for every fact
        d_W_dyn = dh.reshape(-1, G).t() @ features.reshape(-1, features.size(-1))  # (G, 2H+3)
        d_W1 = torch.zeros_like(W1)
        d_W1[:, H:2 * H] = dh_m.t() @ m
        d_W1[:, 4 * H:5 * H] = d_W_dyn[:, :H]
        d_W1[:, 6 * H:7 * H] = d_W_dyn[:, H:2 * H]
        d_W1[:, 7 * H + 1:] = d_W_dyn[:, 2 * H:]
        d_features = dh @ W_dyn  # (B, N, 2H+3)
        d_cm, d_abs, d_bil = d_features[..., :H], d_features[..., H:2 * H], d_features[..., 2 * H:2 * H + 1]
        d_abs = d_abs * diff.sign()
        mu = m.unsqueeze(1)
        d_c = d_cm * mu + d_abs
        d_cW = d_bil * mu
        d_m = (dh_m @ W1[:, H:2 * H] + (d_cm * c).sum(1) - d_abs.sum(1) + (d_bil * cW).sum(1))
        return d_c, dh, d_cW, d_m, None, d_W1, d_w2, d_b2


class GateStatic(torch.autograd.Function):
    """The question part of the gate MLP's first layer, once per question (see
    EpisodicMemory.question_part):
        static = b1 + W_c c + W_q q + W_cq (c∘q) + W_|cq| |c − q| + w_bq (cᵀW q),   cW = c W
    """

    @staticmethod
    def forward(ctx, c, q, bilinear, W1, b1):
        # c (B, N, H); q (B, H); bilinear (H, H); W1 (G, 7H + 4); b1 (G,).
        # Returns static (B, N, G) and cW (B, N, H).
        H = c.size(-1)
        cW = c @ bilinear
        qu = q.unsqueeze(1)  # (B, 1, H)
        diff = c - qu
        features = torch.cat([c, c * qu, diff.abs(), (cW * qu).sum(-1, keepdim=True)], -1)
        W_s = torch.cat([W1[:, :H], W1[:, 3 * H:4 * H], W1[:, 5 * H:6 * H],
                         W1[:, 7 * H:7 * H + 1]], 1)  # (G, 3H + 1)
        static = features @ W_s.t() + (q @ W1[:, 2 * H:3 * H].t() + b1).unsqueeze(1)
        ctx.save_for_backward(c, q, bilinear, cW, diff, features, W1, W_s)
        return static, cW

    @staticmethod
    def backward(ctx, d_static, d_cW):
        c, q, bilinear, cW, diff, features, W1, W_s = ctx.saved_tensors
        H, G = c.size(-1), d_static.size(-1)
        qu = q.unsqueeze(1)
        ds_q = d_static.sum(1)  # (B, G): the q term is the same for every fact
        d_W_s = d_static.reshape(-1, G).t() @ features.reshape(-1, features.size(-1))
        d_W1 = torch.zeros_like(W1)
        d_W1[:, :H] = d_W_s[:, :H]
        d_W1[:, 2 * H:3 * H] = ds_q.t() @ q
        d_W1[:, 3 * H:4 * H] = d_W_s[:, H:2 * H]
        d_W1[:, 5 * H:6 * H] = d_W_s[:, 2 * H:3 * H]
        d_W1[:, 7 * H] = d_W_s[:, 3 * H]
        d_features = d_static @ W_s  # (B, N, 3H + 1)
        d_c0, d_cq = d_features[..., :H], d_features[..., H:2 * H]
        d_abs = d_features[..., 2 * H:3 * H] * diff.sign()
        d_bil = d_features[..., 3 * H:]
        d_cW_all = d_bil * qu if d_cW is None else d_cW + d_bil * qu  # (B, N, H)
        d_c = d_c0 + d_cq * qu + d_abs + d_cW_all @ bilinear.t()
        d_q = (ds_q @ W1[:, 2 * H:3 * H] + (d_cq * c).sum(1) - d_abs.sum(1)
               + (d_bil * cW).sum(1))
        d_bilinear = c.reshape(-1, H).t() @ d_cW_all.reshape(-1, H)
        return d_c, d_q, d_bilinear, d_W1, ds_q.sum(0)
