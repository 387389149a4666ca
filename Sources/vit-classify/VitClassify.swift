import ArgumentParser
import Foundation
import SwiftViT

/// `vit-classify [options] PATH...`: labels image files and folders with a Vision Transformer.
struct VitClassify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vit-classify",
        abstract: "Label images with a Vision Transformer (JPEG and PNG; folders are searched recursively).",
        discussion: """
        Results are written in input order: a table on a terminal, otherwise JSON Lines (one object per \
        image). Files in folders count when their name ends in .jpg/.jpeg/.png or their bytes are a JPEG \
        or PNG; others are skipped. Every image that cannot be read gets an error record and the run goes on.

        The model is a Hugging Face Hub id (found in the Hugging Face cache shared with Python, or \
        downloaded into it) or a local folder with config.json, preprocessor_config.json and \
        model.safetensors; HF_HOME, HF_HUB_CACHE, HF_HUB_OFFLINE=1, HF_ENDPOINT and HF_TOKEN are honoured.

        Exit status: 0 all inputs labelled, 1 some failed or the paths held no image at all, 2 usage error \
        or model not loadable, 130/143 interrupted (SIGINT/SIGTERM; the output then holds only complete records).
        """,
        version: "vit-classify \(ImageClassifier.version) (matches \(ImageClassifier.referenceStack))")

    @Argument(help: ArgumentHelp("Image files and folders.", valueName: "path"))
    var paths: [String]

    @Option(help: ArgumentHelp("A Hugging Face Hub id or a local model folder.", valueName: "id-or-dir"))
    var model: String = ModelRepository.defaultModel

    @Option(help: "The Hub revision (branch, tag or commit).")
    var revision: String = "main"

    @Option(name: [.customShort("k"), .long], help: "Labels per image (capped at the model's label count).")
    var topK: Int = 5

    @Option(help: "Images per forward pass.")
    var batchSize: Int = 8

    @Option(help: ArgumentHelp("Compute threads for the network (default: one per core).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("float32 (default) or bfloat16: keep the weights rounded to bfloat16, in half the "
                               + "memory; the labels are then those of the model saved in bfloat16.",
                               valueName: "precision"))
    var weightPrecision: WeightPrecision = .float32

    @Option(name: .customLong("compute"),
            help: ArgumentHelp("float32 (default, exact), bfloat16 or int8: the number format of the network's "
                               + "GEMMs; faster, with the fidelity cost measured in Documentation/Fidelity.md.",
                               valueName: "precision"))
    var computePrecision: ComputePrecision = .float32

    @Option(help: ArgumentHelp("torchvision (default) or pillow: the transformers image-processor backend whose "
                               + "pixel values to reproduce. transformers uses torchvision when it is installed, "
                               + "else pillow (or with backend=\"pil\").", valueName: "backend"))
    var processor: ProcessorBackend = .torchvision

    @Option(help: ArgumentHelp("Threads decoding and resizing images ahead of the network (default: half the "
                               + "cores, 1 to 4).", valueName: "n"))
    var decodeThreads: Int?

    @Option(help: ArgumentHelp("table, jsonl or csv (default: table on a terminal, else jsonl; for --output, "
                               + "csv if the file name ends in .csv).", valueName: "format"))
    var format: OutputFormat?

    @Option(name: [.short, .long], help: ArgumentHelp("Write results to this file instead of standard output.",
                                                      valueName: "file"))
    var output: String?

    @Flag(help: "With --output: keep the file's records and label only the images it does not hold yet.")
    var resume = false

    @Option(help: ArgumentHelp("Label only part I of N deterministic, disjoint parts of the input (0 ≤ I < N).",
                               valueName: "I/N"), transform: Shard.parse)
    var shard: Shard = .all

    @Flag(name: [.short, .long], help: "List skipped files on standard error.")
    var verbose = false

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one image file or folder") }
        guard topK >= 1 else {
            throw ValidationError("--top-k must be at least 1 (got \(topK)); values above the model's label count are "
                                  + "capped at it")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let decodeThreads, decodeThreads < 1 { throw ValidationError("--decode-threads must be at least 1") }
        if resume {
            guard output != nil else { throw ValidationError("--resume needs --output FILE (the file to continue)") }
            if format == .table {
                throw ValidationError("--resume cannot read a table back; use --format jsonl or csv")
            }
        }
    }

    /// Runs the command and returns its exit status.
    /// With --resume, what `file` already holds: the inputs it records as done leave `inputs`, and `counts`
    /// learns how many were done or failed before. Without --resume, nil.
    private func readResumeState(of file: OutputFile, namedFormat: OutputFormat?, inputs: inout [InputFile],
                             counts: inout RunCounts) throws(UsageError) -> ResumeState? {
        guard resume else { return nil }
        // validate() has refused --format table with --resume.
        let state = try ResumeState.read(file, format: format, newFileFormat: namedFormat ?? .jsonl, topK: topK)
        let before = inputs.count
        counts.alreadyFailed = inputs.count { state.failedPaths.contains($0.path) }
        inputs.removeAll { state.donePaths.contains($0.path) }
        counts.alreadyDone = before - inputs.count
        return state
    }

    func execute() async throws -> Int32 {
        let console = Console(showsProgress: Terminal.isTerminal(STDERR_FILENO))
        // Whatever ends the run — including an error thrown to main, which prints it — the
        // progress line is gone first.
        defer { console.endProgress() }

        // 1. The inputs, this shard's part of them, and what --resume finds already done.
        let discovery = InputDiscovery.discover(paths)
        var counts = RunCounts()
        var inputs = shardInputs(of: discovery, counts: &counts, console: console)

        let namedFormat = format ?? output.flatMap { OutputFormat(fileName: $0) }
        // The output file is locked before it is read: a second run on it stops here.
        let outputFile = try output.map { path throws(UsageError) in try OutputFile.claim(path, resuming: resume) }
        var outputStarted = false
        defer { if !outputStarted { outputFile?.abandon() } }
        let resumeState = try outputFile.flatMap { file throws(UsageError) in
            try readResumeState(of: file, namedFormat: namedFormat, inputs: &inputs, counts: &counts)
        }
        counts.total = inputs.count
        let outputFormat = resumeState?.format ?? namedFormat
            ?? (output == nil && Terminal.isTerminal(STDOUT_FILENO) ? .table : .jsonl)

        // Paths that hold no image at all label nothing, which a script wants to know: exit status 1. An empty
        // shard, or a --resume with nothing left to do, is a success (0).
        if discovery.inputs.isEmpty {
            console.reportError("no JPEG or PNG files found in " + paths.joined(separator: ", ")
                                + (discovery.skipped.isEmpty ? "" : " (\(discovery.skipped.count) other files skipped)"))
        }
        guard !inputs.isEmpty else {
            if let outputFile, let resumeState, !resumeState.droppedRanges.isEmpty {
                _ = try outputFile.start(resuming: resumeState)
                outputStarted = true
                console.reportError(resumeState.duplicateReport(path: outputFile.path)!)
            }
            console.endProgress()
            if console.showsProgress { console.printLine(Summary.text(counts, seconds: 0, output: output, shard: shard)) }
            return discovery.inputs.isEmpty ? 1 : counts.exitStatus
        }

        // 2. The model; only then is the output file touched, so a failed load changes nothing.
        let options = ImageClassifier.Options(threads: threads, batchSize: batchSize, revision: revision,
                                              weightPrecision: weightPrecision, computePrecision: computePrecision,
                                              processorBackend: processor)
        let classifier = try await ModelLoader.load(model, options: options, console: console)
        if computePrecision != .float32 {
            console.printLine("vit-classify: \(computePrecision) compute on \(classifier.kernelDescription)")
        }
        let destination = try outputFile.map { file throws(UsageError) in try file.start(resuming: resumeState) }
            ?? .standardOutput
        outputStarted = true
        if let report = outputFile.flatMap({ resumeState?.duplicateReport(path: $0.path) }) { console.reportError(report) }
        console.redirectRecords(to: destination)
        let formatter = Self.formatter(outputFormat, inputs: inputs, classifier: classifier, destination: destination)
        console.endProgress()
        if resumeState?.needsHeader ?? true, let header = formatter.header { try console.writeRecord(header) }

        // 3. Label, stopping cleanly on Ctrl-C or SIGTERM.
        let run = LabellingRun(classifier: classifier, inputs: inputs, formatter: formatter, console: console,
                               topK: topK, decodeThreads: decodeThreads ?? Self.defaultDecodeThreads, counts: counts)
        installInterruptHandler(for: run, console: console)
        do {
            try run.run()
        } catch {
            console.endProgress()
            console.reportError(error.description)
            return 1
        }
        destination.synchronize()
        console.endProgress()
        let final = run.counts.withLock { $0 }
        if console.showsProgress {
            console.printLine(Summary.text(final, seconds: run.elapsed, output: output, shard: shard))
        }
        return final.exitStatus
    }

    /// The discovered inputs in this run's shard, counting what was skipped, unreadable or left to
    /// other shards into `counts`.
    private func shardInputs(of discovery: InputDiscovery.Result, counts: inout RunCounts,
                             console: Console) -> [InputFile] {
        counts.skipped = discovery.skipped.count
        counts.unreadableFolders = discovery.unreadableFolders.count
        for message in discovery.unreadableFolders { console.reportError(message) }
        if verbose {
            for file in discovery.skipped { console.printLine("vit-classify: skipped \(file.path): \(file.reason)") }
        }
        let inputs = discovery.inputs.filter { shard.contains(key: $0.shardKey) }
        counts.otherShards = discovery.inputs.count - inputs.count
        return inputs
    }

    /// The record formatter for `format`; a table is sized for the terminal when it goes to one.
    private static func formatter(_ format: OutputFormat, inputs: [InputFile], classifier: ImageClassifier,
                                  destination: OutputSink) -> any RecordFormatter {
        switch format {
        case .jsonl: JSONLinesFormatter()
        case .csv: CSVFormatter()
        case .table:
            TableFormatter(paths: inputs.map(\.path), scoresArePercentages: classifier.scoreFunction != .identity,
                           width: destination.descriptor == STDOUT_FILENO ? Terminal.width(of: STDOUT_FILENO) : nil)
        }
    }

    /// On Ctrl-C or SIGTERM: the progress line erased, the summary so far printed, and exit 128 + signal.
    private func installInterruptHandler(for run: LabellingRun, console: Console) {
        let (outputPath, part) = (output, shard)
        InterruptHandler.install { signal in
            console.withLock {
                console.endProgressLocked()
                if console.showsProgress {
                    let summary = Summary.text(run.counts.withLock { $0 }, seconds: run.elapsed, output: outputPath,
                                               shard: part)
                    console.printLineLocked("interrupted: " + summary
                                            + (outputPath != nil ? "; continue with --resume" : ""))
                }
                _exit(128 + signal)
            }
        }
    }

    /// Half the cores, between 1 and 4. Preparing an image takes 2–8 ms, a ViT-B/16 image
    /// 300+ ms of network on two cores, so one thread keeps a large model fed; more only pay for
    /// small models on machines with cores to spare (measured on 2 vCPUs: the tiny fixture model
    /// labels ~250 img/s with one decoding thread, and a second one competes with the network).
    static var defaultDecodeThreads: Int { max(1, min(4, ProcessInfo.processInfo.activeProcessorCount / 2)) }
}

/// `--weight-precision float32|bfloat16`.
extension WeightPrecision: ExpressibleByArgument {}

/// `--compute float32|bfloat16|int8`.
extension ComputePrecision: ExpressibleByArgument {}

/// `--processor torchvision|pillow`.
extension ProcessorBackend: ExpressibleByArgument {}
