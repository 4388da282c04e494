// FusedLayout.swift: the column ranges of the fused step row, the stacked head row and encoder.weight_ih, named once.

/// Where each value sits in the rows the per-step products read and write, so that one product covers several
/// layers: the step row `[r | h_enc | h_dec | z]`, the head row `[write | write_attn | read_attn]` and the
/// column blocks of `encoder.weight_ih`. Every offset the model, the packed weights and the workspaces use is one
/// of these ranges.
struct FusedLayout: Sendable {
    /// One row per image and step of the forward cache: the encoder gates are one product over
    /// `[read | hEnc | hDec]`, the decoder gates one over `[hDec | z]`.
    struct StepRow: Sendable {
        /// The per-step read columns: r_t with attention, x̂_t without (x's product is the same every step).
        let read: Range<Int>
        /// h_enc(t−1), then h_dec(t−1), then z_t.
        let hEnc, hDec, z: Range<Int>
        /// Floats per row.
        var width: Int { z.upperBound }
        /// The encoder's product input `[read | hEnc | hDec]` and the decoder's `[hDec | z]`.
        var encoderInput: Range<Int> { read.lowerBound..<hDec.upperBound }
        var decoderInput: Range<Int> { hDec.lowerBound..<z.upperBound }
        /// z's first row in the packed decoder (W_hh's rows, then W_ih's), which a product on z alone starts from.
        var decoderZRow: Int { z.lowerBound - decoderInput.lowerBound }
    }

    /// The outputs of the stacked head product on h_dec(t), in the order of ParameterLayout's head group.
    struct HeadRow: Sendable {
        /// The write patch w (C·Nw², or C·H·W without attention).
        let write: Range<Int>
        /// The write window's head (5) and the next step's read head (5); empty without attention.
        let writeAttention, readAttention: Range<Int>
        /// Floats per row.
        var width: Int { readAttention.upperBound }
        /// The columns generation needs: write and the write head (no encoder reads, so no read head).
        var generationWidth: Int { writeAttention.upperBound }
    }

    /// The column blocks of `encoder.weight_ih` (its input is `[r, h_dec]`).
    struct EncoderColumns: Sendable {
        /// The columns that meet the step row's `read` block: all of r with attention; x̂'s without
        /// (r = [x, x̂], and x's columns meet the same x every step).
        let stepRead: Range<Int>
        /// x's columns, whose product is computed once per batch (no attention; empty with it).
        let x: Range<Int>
        /// h_dec(t−1)'s columns, after r (they end at `encoderInputSize`, the matrix's row stride).
        let hDec: Range<Int>
    }

    let stepRow: StepRow
    let headRow: HeadRow
    let encoderColumns: EncoderColumns

    init(config c: DRAWConfig) {
        let R = c.readSize, P = c.pixels, D = c.decSize
        encoderColumns = c.attention
            ? EncoderColumns(stepRead: 0..<R, x: 0..<0, hDec: R..<(R + D))
            : EncoderColumns(stepRead: P..<(2 * P), x: 0..<P, hDec: (2 * P)..<(2 * P + D))
        let read = 0..<encoderColumns.stepRead.count
        let hEnc = Self.after(read, c.encSize), hDec = Self.after(hEnc, D)
        stepRow = StepRow(read: read, hEnc: hEnc, hDec: hDec, z: Self.after(hDec, c.zSize))
        let write = 0..<c.writeSize, heads = c.attention ? 5 : 0
        let writeAttention = Self.after(write, heads)
        headRow = HeadRow(write: write, writeAttention: writeAttention, readAttention: Self.after(writeAttention, heads))
    }

    /// The `count` columns that follow `range`.
    private static func after(_ range: Range<Int>, _ count: Int) -> Range<Int> {
        range.upperBound..<(range.upperBound + count)
    }
}

extension DRAWConfig {
    /// This config's fused layout (a few integers, computed on each use).
    var fused: FusedLayout { FusedLayout(config: self) }
}
