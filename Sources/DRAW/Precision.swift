// Precision.swift: the per-step products' input precision (float32, or bf16 with float32 sums).

/// What the per-step products (the packed forward linears and the backward's dx = dy W) multiply; a vaegan
/// discriminator's convolutions follow the model's (`ConvNet.precision`).
/// Parameters, Adam state, LSTM cells, the canvas, filterbanks, losses and the weight gradients stay float32.
public enum Precision: String, CaseIterable, Codable, Sendable {
    /// Everything in float32: the SPEC.md arithmetic the fixtures check.
    case float32
    /// Weights (rounded once per parameter version, into bf16 panels) and activations rounded to bfloat16,
    /// every sum in float32: half the weight bytes, and the AMX / AVX512-BF16 multipliers where the CPU has them.
    case bf16
}
