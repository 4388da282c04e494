// Watson.swift: the Watson-DFT perceptual distance's forward and backward (watson.c) behind shape checks.
import CKernels

/// loss_b = the Watson-DFT distance of reconstruction image b from data image b (`ck_watson_forward`), summed over
/// every plane's 8×8 blocks: amplitude differences over the data's masking threshold plus e^−2 × phase differences.
/// reconstruction, data: (B, C, H, W), contiguous; loss: B values, overwritten.
public func watsonForward(loss: UnsafeMutableBufferPointer<Double>, reconstruction: ShapedBuffer,
                          data: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "watsonForward"
    let s = try watsonShape(k, reconstruction, data)
    try require(loss.count == s[0] && loss.baseAddress != nil, k, "loss", "has \(loss.count) values, expected \(s[0])")
    ck_watson_forward(loss.baseAddress, reconstruction.base, data.base, s[0].c, s[1].c, s[2].c, s[3].c)
}

/// dReconstruction += dloss_b · d loss_b / d reconstruction (`ck_watson_backward`); dloss: B values.
public func watsonBackward(dReconstruction: ShapedBuffer, dloss: UnsafeBufferPointer<Float>, reconstruction: ShapedBuffer,
                           data: ShapedBuffer) throws(KernelError) {
    let k: StaticString = "watsonBackward"
    let s = try watsonShape(k, reconstruction, data)
    try expectDense(dReconstruction, s, k, "dReconstruction")
    try require(dloss.count == s[0] && dloss.baseAddress != nil, k, "dloss", "has \(dloss.count) values, expected \(s[0])")
    var ops = Operands(k)
    ops.input("reconstruction", reconstruction); ops.input("data", data)
    ops.output("dReconstruction", dReconstruction)
    try ops.check()
    ck_watson_backward(dReconstruction.base, dloss.baseAddress, reconstruction.base, data.base, s[0].c, s[1].c, s[2].c, s[3].c)
}

private func watsonShape(_ k: StaticString, _ xt: ShapedBuffer, _ x: ShapedBuffer) throws(KernelError) -> Shape {
    try require(x.shape.rank == 4, k, "data", "has shape \(x.shape), expected (B, C, H, W)")
    try expectDense(x, x.shape, k, "data")
    try expectDense(xt, x.shape, k, "reconstruction")
    return x.shape
}
