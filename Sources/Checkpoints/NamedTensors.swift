import Tensors

/// A collection of named Float32 tensors, such as a checkpoint's weights.
///
/// Models bind their parameters by name through this protocol, so a checkpoint on disk and a set
/// of tensors built in memory (for benchmarks and tests) are interchangeable.
public protocol NamedTensors: Sendable {
    /// The names of all tensors, in a stable order.
    var tensorNames: [String] { get }
    /// The shape of the tensor called `name`, or `nil` if there is none.
    func shape(of name: String) -> [Int]?
    /// The tensor called `name`, as Float32 (converted from its stored dtype if needed).
    func tensor(named name: String) throws -> Tensor
    /// Gives back the memory the tensor called `name` occupies, once its values have been copied
    /// elsewhere (a model packs its matrices at load): a memory-mapped file drops its pages from
    /// the process (they stay in the page cache, and a later read maps them again). A hint:
    /// tensors already handed out stay valid.
    func releaseMemory(ofTensorNamed name: String)
    /// Gives back all the memory of every tensor (and of the pages they share), once nothing is
    /// read from them any more; a hint, as ``releaseMemory(ofTensorNamed:)``.
    func releaseAllMemory()
}

extension NamedTensors {
    /// Tensors held in memory have nothing to give back.
    public func releaseMemory(ofTensorNamed name: String) {}
    /// Tensors held in memory have nothing to give back.
    public func releaseAllMemory() {}
}
