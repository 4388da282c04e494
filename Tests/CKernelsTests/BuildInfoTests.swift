// BuildInfoTests.swift: the C target is built with OpenMP, links OpenBLAS, and names its SIMD path and BLAS core.
import Foundation
import Testing
import CKernels

@Test func buildInfoNamesSIMDOpenMPAndBLAS() throws {
    var buf = [CChar](repeating: 0, count: 512)
    ck_build_info(&buf, buf.count)
    let info = String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    print(info)
    func field(_ key: String) -> String? {
        info.split(separator: " ").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }
    // The SIMD path is the one ck_simd_path reports, by name.
    let path = ck_simd_path()
    #expect(field("simd") == String(cString: ck_simd_path_name(path)))
    #expect(["avx512", "avx2", "neon", "scalar"].contains(field("simd") ?? ""))
    // OpenMP compiled in: "-fopenmp=libgomp" would drop every pragma without a word.
    let openmp = try #require(field("openmp"))
    #expect(openmp.hasPrefix("on("), "the kernels were built without OpenMP: \(info)")
    #expect(Int(field("omp_threads") ?? "") == Int(ck_get_threads()))
    // The BLAS core OpenBLAS itself names.
    #expect(field("blas_core") == String(cString: ck_blas_core()))
    #expect(!(field("blas_core") ?? "").isEmpty)
}
