import CBLAS

/// Row-major single-precision matrix products through OpenBLAS.
package enum BLAS {
    /// C[m×n] = alpha · A[m×k] · op(B) + beta · C, where op(B) is B[k×n], or Bᵀ when `transposeB` (B stored [n×k]).
    @inline(__always)
    package static func gemm(
        m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Threads OpenBLAS uses for one product.
    package static var threadCount: Int { Int(openblas_get_num_threads()) }

    /// Makes every OpenBLAS call run on its caller's thread only. The towers split their products across their
    /// own `WorkerPool` (threads that sleep between jobs), and OpenBLAS's own threads would otherwise busy-wait
    /// beside them and contend for the same cores. Process-wide; the E5 encoder does not call BLAS.
    package static func useCallerThreadsOnly() {
        if openblas_get_num_threads() != 1 { openblas_set_num_threads(1) }
    }
}
