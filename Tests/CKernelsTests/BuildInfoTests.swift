// BuildInfoTests.swift: the C target links with OpenMP and OpenBLAS and names its SIMD path and BLAS core.
import Testing
import CKernels

@Test func buildInfoNamesSIMDAndBLAS() {
    var buf = [CChar](repeating: 0, count: 512)
    ck_build_info(&buf, buf.count)
    let info = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    print(info)
    #expect(info.contains("simd="))
    #expect(info.contains("blas_core="))
}
