import Tensors

/// What every step of a forward pass computes with: the threads, the instruction set, and the
/// scratch memory a GEMM may use. Part of a ``ForwardState``.
struct ComputeContext {
    /// Splits each product and row-wise pass across threads.
    let pool: ThreadPool
    /// The kernels' instruction set (the model's weights are packed for it).
    let instructionSet: VectorInstructionSet
    /// Scratch for one GEMM at a time (packed activations; OpenBLAS's product before its epilogue).
    let gemmScratch: UnsafeMutablePointer<Float>
}
