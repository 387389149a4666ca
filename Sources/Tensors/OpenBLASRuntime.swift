import CBLAS
import Foundation

/// What we know about, and set in, the OpenBLAS library this process runs with.
public enum OpenBLASRuntime {
    /// The kernel family OpenBLAS selected for this CPU (for example `"SkylakeX"` or `"Haswell"`).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build configuration string.
    public static var configuration: String {
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config)
    }

    /// The kernel family chosen by ``selectKernelsForThisCPU()``, if it replaced OpenBLAS's own
    /// choice.
    nonisolated(unsafe) public private(set) static var overriddenCoreName: String?

    private static let selection: Void = {
        // Debian's OpenBLAS 0.3.21 is built with DYNAMIC_ARCH: it picks kernels by CPU model at
        // load time, and CPU models newer than its tables (Sapphire/Emerald Rapids, Zen 4/5, …)
        // fall back to "Prescott", SSE3 kernels several times slower than the AVX2/AVX-512 ones
        // the CPU has. OpenBLAS honours OPENBLAS_CORETYPE only when it initialises, which happens
        // before main, so we re-run its (exported) dispatcher with the variable set — unless the
        // user set the variable themselves, or OpenBLAS already chose a vector family.
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil else { return }
        let weakFamilies: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem",
                                         "atom", "nano", "unknown"]
        guard weakFamilies.contains(coreName.lowercased()) else { return }
        let features = CPUFeatures.current
        let target: String
        if features.contains(.avx512) {
            target = features.contains(.avx512BF16) ? "Cooperlake" : "SkylakeX"
        } else if features.contains(.avx2FMA) {
            target = features.contains(.amd) ? "Zen" : "Haswell"
        } else {
            return
        }
        guard let handle = dlopen(nil, RTLD_NOW),
              let quit = dlsym(handle, "gotoblas_dynamic_quit"),
              let initialise = dlsym(handle, "gotoblas_dynamic_init")
        else { return }
        typealias VoidFunction = @convention(c) () -> Void
        setenv("OPENBLAS_CORETYPE", target, 1)
        unsafeBitCast(quit, to: VoidFunction.self)()
        unsafeBitCast(initialise, to: VoidFunction.self)()
        unsetenv("OPENBLAS_CORETYPE")
        overriddenCoreName = coreName
    }()

    private static let singleThreaded: Void = {
        // Our thread pool splits every product; OpenBLAS's own threads would oversubscribe the cores.
        openblas_set_num_threads(1)
    }()

    /// Makes sure OpenBLAS uses the vector kernels this CPU supports and runs each call on the
    /// calling thread alone. Idempotent and cheap after the first call; every OpenBLAS call site
    /// makes it first.
    public static func configure() {
        _ = selection
        _ = singleThreaded
    }
}
