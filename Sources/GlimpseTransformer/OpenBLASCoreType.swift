import CBLAS
import CQuantKernels
import Foundation

/// OpenBLAS picks its kernels once, when the library loads, from the CPU model. Debian 12's 0.3.21 does not know
/// recent Intel models (e.g. Emerald Rapids, family 6 model 207) and falls back to its generic "Prescott" SSE3
/// kernels, whose sgemm measured 4–5× slower here than the SkylakeX (AVX-512) ones on the same CPU. OpenBLAS's own
/// remedy is the OPENBLAS_CORETYPE variable, read only at load time, so a process that finds itself on the generic
/// kernels sets it from the CPU's features and re-executes itself (same pid, arguments and environment otherwise).
public enum OpenBLASCoreType {
    /// The kernel set OpenBLAS runs ("SkylakeX", "Haswell", "Prescott", …).
    public static var current: String { String(cString: openblas_get_corename()) }

    /// The core type to ask for when OpenBLAS runs a generic one on a CPU with AVX2 or AVX-512, else nil.
    public static var better: String? {
        let level = cq_supported_level()
        guard level >= Int32(CQ_LEVEL_AVX2) else { return nil }
        let known = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]
        guard !known.contains(current.lowercased()) else { return nil }
        return level >= Int32(CQ_LEVEL_AVX512VNNI) ? "SkylakeX" : "Haswell"
    }

    /// Re-executes this program with OPENBLAS_CORETYPE set when `better` is not nil and the variable is unset (so
    /// it happens at most once, and a user's own setting always wins). Call first thing in `main`, before any thread
    /// or file is opened. Returns (doing nothing) when there is nothing to do or the exec fails.
    public static func reexecuteIfGeneric() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let better else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        unsetenv("OPENBLAS_CORETYPE")  // exec failed: carry on with the generic kernels
    }
}
