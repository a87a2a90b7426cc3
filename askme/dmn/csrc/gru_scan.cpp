// The GRU recurrence of askme/gru.py in C++: one loop over time steps whose element-wise
// part is a single vectorised pass per step (PyTorch's gate order r, z, n).
//
// Why: a step of a batch of 32 at H = 80 is a 32x80x240 matrix product plus ~2,500 element
// updates, a few microseconds of work; as a dozen separate torch operations (each with its
// dispatch, allocation and autograd record) it costs ~20x that. Compiled once per machine by
// torch.utils.cpp_extension (askme.gru.native); askme falls back to the Python scan without it.
//
//   r = s(gi_r + W_hr h + b_hr),  z = s(gi_z + W_hz h + b_hz),  n = tanh(gi_n + r (W_hn h + b_hn))
//   h' = h + a (n - h),  a = g (1 - z)     (g = 1, or the episode's attention gate, paper eq. 4)
#include <torch/extension.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

using torch::Tensor;

namespace {

// exp's argument stays within +-80, where it is finite in float32 (exp(88.7) overflows): under
// -ffast-math (which lets glibc's vector expf be used) an infinity may turn into NaN. Beyond
// that bound the sigmoid is 1 or under 2e-35 either way.
inline float exp_bounded(float x) { return std::exp(std::fmin(std::fmax(x, -80.f), 80.f)); }
inline float sigmoid(float x) { return 1.f / (1.f + exp_bounded(-x)); }
// tanh through exp, so that the loop vectorises (glibc's vector expf; its tanhf is scalar).
inline float tanh_exp(float x) { return 2.f / (1.f + exp_bounded(-2.f * x)) - 1.f; }

// The BLAS that torch itself links (MKL on x86 wheels) exports sgemm_; called directly, a
// step's small matrix product skips the few microseconds of a dispatched torch operation,
// which on bAbI stories is as long as the product itself. Weak, so a torch build without
// that symbol still loads this file and takes at::addmm instead.
extern "C" void sgemm_(const char* transa, const char* transb, const int* m, const int* n,
                       const int* k, const float* alpha, const float* a, const int* lda,
                       const float* b, const int* ldb, const float* beta, float* c,
                       const int* ldc) __attribute__((weak));

// out (rows, cols) += x (rows, inner) times w^T, w (cols, inner): row-major, contiguous.
void add_x_wt(float* out, const float* x, const float* w, int64_t rows, int64_t inner,
              int64_t cols) {
  const int m = cols, n = rows, k = inner;
  const float one = 1.f;
  sgemm_("T", "N", &m, &n, &k, &one, w, &k, x, &k, &one, out, &m);
}

// out (rows, cols) += x (rows, inner) times w, w (inner, cols): row-major, contiguous.
void add_x_w(float* out, const float* x, const float* w, int64_t rows, int64_t inner,
             int64_t cols) {
  const int m = cols, n = rows, k = inner;
  const float one = 1.f;
  sgemm_("N", "N", &m, &n, &k, &one, w, &m, x, &k, &one, out, &m);
}

void check(const Tensor& t, const char* name) {
  TORCH_CHECK(t.device().is_cpu() && t.scalar_type() == torch::kFloat && t.is_contiguous(),
              name, " must be a contiguous float32 CPU tensor");
}

}  // namespace

// gi (T, B, 3H) input projections, h0 (B, H), w_hh (3H, H), b_hh (3H), gates (T, B) or empty.
// Returns states (T+1, B, H) with states[0] = h0, and per step [r, z, n, W_hn h + b_hn]
// (T, B, 4H) for the backward pass.
std::vector<Tensor> scan_forward(Tensor gi, Tensor h0, Tensor w_hh, Tensor b_hh, Tensor gates) {
  torch::NoGradGuard no_grad;
  check(gi, "gi"); check(h0, "h0"); check(w_hh, "w_hh"); check(b_hh, "b_hh");
  const bool gated = gates.numel() > 0;
  if (gated) check(gates, "gates");
  const int64_t T = gi.size(0), B = gi.size(1), H = h0.size(1);
  auto states = gi.new_empty({T + 1, B, H});
  auto saved = gi.new_empty({T, B, 4 * H});
  auto gh = gi.new_empty({B, 3 * H});
  states[0].copy_(h0);
  const auto w_t = w_hh.t();
  float* S = states.data_ptr<float>();
  float* V = saved.data_ptr<float>();
  const float* G = gi.data_ptr<float>();
  const float* GH = gh.data_ptr<float>();
  const float* g = gated ? gates.data_ptr<float>() : nullptr;
  const bool blas = sgemm_ != nullptr;
  const float* bias = b_hh.data_ptr<float>();
  const float* W = w_hh.data_ptr<float>();
  for (int64_t t = 0; t < T; ++t) {
    if (blas) {  // gh = b_hh + h W_hh^T  (B, 3H)
      float* row = gh.data_ptr<float>();
      for (int64_t b = 0; b < B; ++b) std::copy(bias, bias + 3 * H, row + b * 3 * H);
      add_x_wt(row, S + t * B * H, W, B, H, 3 * H);
    } else {
      at::addmm_out(gh, b_hh, states[t], w_t);
    }
    for (int64_t b = 0; b < B; ++b) {
      const float* __restrict__ gi_b = G + (t * B + b) * 3 * H;
      const float* __restrict__ gh_b = GH + b * 3 * H;
      const float* __restrict__ h = S + (t * B + b) * H;
      float* __restrict__ h_next = S + ((t + 1) * B + b) * H;
      float* __restrict__ v = V + (t * B + b) * 4 * H;
      const float gate = gated ? g[t * B + b] : 1.f;
#pragma omp simd
      for (int64_t j = 0; j < H; ++j) {
        const float r = sigmoid(gi_b[j] + gh_b[j]);
        const float z = sigmoid(gi_b[H + j] + gh_b[H + j]);
        const float ghn = gh_b[2 * H + j];
        const float n = tanh_exp(gi_b[2 * H + j] + r * ghn);
        h_next[j] = h[j] + (1.f - z) * gate * (n - h[j]);
        v[j] = r; v[H + j] = z; v[2 * H + j] = n; v[3 * H + j] = ghn;
      }
    }
  }
  return {states, saved};
}

// Gradients of (gi, h0, w_hh, b_hh, gates) from those of states[1:] (T, B, H).
std::vector<Tensor> scan_backward(Tensor grad_states, Tensor w_hh, Tensor gates, Tensor states,
                                  Tensor saved) {
  torch::NoGradGuard no_grad;
  check(grad_states, "grad_states"); check(w_hh, "w_hh");
  const bool gated = gates.numel() > 0;
  const int64_t T = saved.size(0), B = saved.size(1), H = saved.size(2) / 4;
  auto d_pre = grad_states.new_empty({T, B, 3 * H});  // of gi
  auto d_gh = grad_states.new_empty({T, B, 3 * H});   // of W_hh h + b_hh
  Tensor d_gates = gated ? grad_states.new_empty({T, B}) : grad_states.new_empty({0});
  auto dh = torch::zeros_like(states[0]);  // (B, H)
  const float* S = states.data_ptr<float>();
  const float* V = saved.data_ptr<float>();
  const float* dS = grad_states.data_ptr<float>();
  const float* g = gated ? gates.data_ptr<float>() : nullptr;
  float* dP = d_pre.data_ptr<float>();
  float* dGH = d_gh.data_ptr<float>();
  float* dg = gated ? d_gates.data_ptr<float>() : nullptr;
  float* DH = dh.data_ptr<float>();
  for (int64_t t = T - 1; t >= 0; --t) {
    for (int64_t b = 0; b < B; ++b) {
      const float* __restrict__ h = S + (t * B + b) * H;
      const float* __restrict__ v = V + (t * B + b) * 4 * H;
      const float* __restrict__ ds = dS + (t * B + b) * H;
      float* __restrict__ d = DH + b * H;
      float* __restrict__ dp = dP + (t * B + b) * 3 * H;
      float* __restrict__ dgh = dGH + (t * B + b) * 3 * H;
      const float gate = gated ? g[t * B + b] : 1.f;
      float gate_grad = 0.f;
#pragma omp simd reduction(+ : gate_grad)
      for (int64_t j = 0; j < H; ++j) {
        const float r = v[j], z = v[H + j], n = v[2 * H + j], ghn = v[3 * H + j];
        const float dhj = d[j] + ds[j];
        const float a = (1.f - z) * gate;
        const float da = dhj * (n - h[j]);
        const float dn_pre = dhj * a * (1.f - n * n);
        const float dr_pre = dn_pre * ghn * r * (1.f - r);
        const float dz_pre = -da * gate * z * (1.f - z);
        gate_grad += da * (1.f - z);
        dp[j] = dr_pre; dp[H + j] = dz_pre; dp[2 * H + j] = dn_pre;
        dgh[j] = dr_pre; dgh[H + j] = dz_pre; dgh[2 * H + j] = dn_pre * r;
        d[j] = dhj * (1.f - a);
      }
      if (gated) dg[t * B + b] = gate_grad;
    }
    if (sgemm_ != nullptr) {  // through W_hh h into h
      add_x_w(DH, dGH + t * B * 3 * H, w_hh.data_ptr<float>(), B, 3 * H, H);
    } else {
      dh.addmm_(d_gh[t], w_hh);
    }
  }
  const auto flat = d_gh.reshape({T * B, 3 * H});
  auto d_w = flat.t().mm(states.narrow(0, 0, T).reshape({T * B, H}));
  auto d_b = flat.sum(0);
  return {d_pre, dh, d_w, d_b, d_gates};
}

namespace {
// A 32-bit integer hash with full avalanche (Wellons' "lowbias32"): dropout needs independent
// coin flips, not a stream, so element i's flip is hash(i, seed) and the loop vectorises.
inline uint32_t mix32(uint32_t x) {
  x ^= x >> 16; x *= 0x7feb352dU; x ^= x >> 15; x *= 0x846ca68bU; x ^= x >> 16;
  return x;
}
}  // namespace

// Inverted-dropout mask shaped like `like`: each element 0 with probability p, else 1/(1-p).
// Why not torch's: its Bernoulli draws cost ~9 ns an element (1.2 ms of a 17 ms step on bAbI
// 10k task 1, for the word embeddings alone); this costs well under 1 ns.
Tensor dropout_mask(Tensor like, double p, int64_t seed) {
  TORCH_CHECK(p >= 0 && p < 1, "dropout probability must be in [0, 1)");
  auto mask = torch::empty(like.sizes(), like.options().dtype(torch::kFloat));
  const int64_t n = mask.numel();
  float* out = mask.data_ptr<float>();
  const uint32_t threshold = static_cast<uint32_t>(std::min(p * 4294967296.0, 4294967295.0));
  const float scale = static_cast<float>(1.0 / (1.0 - p));
  const uint32_t s1 = static_cast<uint32_t>(seed), s2 = static_cast<uint32_t>(seed >> 32);
#pragma omp simd
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t x = mix32(mix32(static_cast<uint32_t>(i) ^ s1) + s2);
    out[i] = x >= threshold ? scale : 0.f;
  }
  return mask;
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("forward", &scan_forward, "GRU scan forward");
  m.def("backward", &scan_backward, "GRU scan backward");
  m.def("dropout_mask", &dropout_mask, "inverted-dropout mask from a counter-based hash");
}
