// KernelError.swift: the one error a DRAWKernels call throws, naming the kernel, the argument and both shapes.
/// Why a kernel call was refused before any C code ran. Nothing was written when one is thrown.
public enum KernelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `argument`'s shape is not the one the other arguments imply.
    case shapeMismatch(kernel: String, argument: String, expected: Shape, got: Shape)
    /// `argument` has row stride `rowStride` where the kernel reads it as one contiguous block (or where it
    /// must share `expected`'s row stride with another argument).
    case badStride(kernel: String, argument: String, shape: Shape, rowStride: Int, expected: Int)
    /// `argument` and `other` share memory in a way the header does not allow (only the named in-place pairs may,
    /// and then as the very same buffer).
    case overlap(kernel: String, argument: String, other: String)
    /// A size or setting outside what the kernel accepts (window N above CK_MAX_N, Adam step < 1, …).
    case outOfRange(kernel: String, argument: String, reason: String)
    /// A buffer view that does not fit its storage, or whose sizes do not fit the kernels' C int.
    case badView(reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(kernel, argument, expected, got):
            "\(kernel): \(argument) has shape \(got), expected \(expected)"
        case let .badStride(kernel, argument, shape, rowStride, expected):
            "\(kernel): \(argument) of shape \(shape) has row stride \(rowStride), expected \(expected)"
        case let .overlap(kernel, argument, other):
            "\(kernel): \(argument) overlaps \(other) (only the same buffer is allowed where the header says so)"
        case let .outOfRange(kernel, argument, reason): "\(kernel): \(argument) \(reason)"
        case let .badView(reason): "buffer view: \(reason)"
        }
    }
}
