// Smoke test: the C target links, with OpenMP and OpenBLAS.
import Testing
import CKernels

@Test func buildInfoNamesSIMDAndBLAS() {
    var buf = [CChar](repeating: 0, count: 512)
    ck_build_info(&buf, buf.count)
    let info = String(cString: buf)
    print(info)
    #expect(info.contains("simd="))
    #expect(info.contains("blas_core="))
}
