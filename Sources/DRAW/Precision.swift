// Precision.swift: the per-step products' input precision (float32, or bf16 with float32 sums), and the process default.
import Synchronization

/// What the per-step products (the packed forward linears and the backward's dx = dy W) multiply.
/// Parameters, Adam state, LSTM cells, the canvas, filterbanks, losses and the weight gradients stay float32.
public enum Precision: String, CaseIterable, Sendable {
    /// Everything in float32: the SPEC.md arithmetic the fixtures check.
    case float32
    /// Weights (rounded once per parameter version, into bf16 panels) and activations rounded to bfloat16,
    /// every sum in float32: half the weight bytes, and the AMX / AVX512-BF16 multipliers where the CPU has them.
    case bf16

    private static let defaultStore = Mutex(Precision.float32)
    /// What new models start with: float32 unless set, as the `draw` tool's `--precision` does once at start.
    public static var processDefault: Precision {
        get { defaultStore.withLock { $0 } }
        set { defaultStore.withLock { $0 = newValue } }
    }
}
