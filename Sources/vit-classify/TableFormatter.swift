import Foundation
import SwiftViT

/// Aligned columns for people: the path on an image's first line, then one line per class with
/// its score and label; an input that failed gets `error:` and the message.
///
/// ```
/// PATH                   SCORE  LABEL
/// photos/chelsea.jpg     43.2%  tabby, tabby cat
///                        21.0%  tiger cat
/// photos/broken.jpg      error: image broken.jpg is a truncated JPEG file: …
/// ```
///
/// The label comes last, so long ImageNet labels need no column of their own. On a terminal
/// (`width` known) a long path loses its beginning and a long label its end to `…`, and error
/// messages (naming the file by its last path component, since the path is in the first
/// column) wrap under the score column, so that each line fits. Control characters in paths
/// and labels are shown escaped (`\n`) so that they cannot break the layout.
struct TableFormatter: RecordFormatter {
    /// The terminal's width in columns, or `nil` when writing to a file or pipe.
    let width: Int?
    let pathWidth: Int
    /// Whether scores are probabilities (shown as percentages) or raw values.
    let scoresArePercentages: Bool

    static let gap = "  "
    static let scoreWidth = 7
    /// Room kept for labels when deciding how much of a long path to show.
    static let labelRoom = 24

    /// A layout for `paths` on a terminal `width` columns wide (or none).
    init(paths: [String], scoresArePercentages: Bool, width: Int?) {
        self.width = width
        self.scoresArePercentages = scoresArePercentages
        let longestPath = max(4, paths.lazy.map { Self.displayText($0).count }.max() ?? 4)
        if let width {
            let room = width - Self.scoreWidth - Self.labelRoom - 2 * Self.gap.count
            pathWidth = max(12, min(longestPath, room))
        } else {
            pathWidth = longestPath
        }
    }

    var header: String? {
        Self.padded("PATH", pathWidth) + Self.gap + Self.leftPadded("SCORE", Self.scoreWidth) + Self.gap + "LABEL\n"
    }

    func record(path: String, outcome: Outcome) -> String {
        var shownPath = Self.displayText(path)
        if width != nil { shownPath = Self.truncatingHead(shownPath, to: pathWidth) }
        let firstColumn = Self.padded(shownPath, pathWidth) + Self.gap
        let indent = String(repeating: " ", count: pathWidth + Self.gap.count)
        switch outcome {
        case .labelled(let predictions):
            var lines = ""
            let labelWidth = width.map { max(8, $0 - indent.count - Self.scoreWidth - Self.gap.count - 1) }
            for (rank, prediction) in predictions.enumerated() {
                var label = Self.displayText(prediction.label)
                if let labelWidth { label = Self.truncatingTail(label, to: labelWidth) }
                lines += (rank == 0 ? firstColumn : indent) + Self.leftPadded(score(prediction.score), Self.scoreWidth)
                    + Self.gap + label + "\n"
            }
            return predictions.isEmpty ? firstColumn + "(no labels)\n" : lines
        case .failed(let message):
            // The path is in the first column already: name the file by its last component only.
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let text = "error: " + Self.displayText(path.isEmpty ? message : message.replacingOccurrences(of: path, with: name))
            guard let width else { return firstColumn + text + "\n" }
            let room = max(20, width - indent.count - 1)
            return Self.wrap(text, width: room).enumerated().map { ($0 == 0 ? firstColumn : indent) + $1 + "\n" }.joined()
        }
    }

    private func score(_ value: Float) -> String {
        guard value.isFinite else { return String(describing: value) }
        if scoresArePercentages {
            let tenths = (Double(value) * 1000).rounded()
            return "\(Int(tenths) / 10).\(Int(tenths) % 10)%"
        }
        let tenThousandths = Int((Double(abs(value)) * 10000).rounded())
        let digits = String(tenThousandths % 10000)
        return (value < 0 ? "-" : "") + "\(tenThousandths / 10000)." + String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// `text` with control characters made visible: `\n`, `\r`, `\t`, others as `\u{…}`.
    static func displayText(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case let control where control.value < 0x20 || control.value == 0x7F:
                result += "\\u{\(String(control.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    static func leftPadded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    /// `text` cut to `width` characters by replacing its beginning with `…`.
    static func truncatingHead(_ text: String, to width: Int) -> String {
        text.count <= width ? text : "…" + text.suffix(width - 1)
    }

    /// `text` cut to `width` characters by replacing its end with `…`.
    static func truncatingTail(_ text: String, to width: Int) -> String {
        text.count <= width ? text : text.prefix(width - 1) + "…"
    }

    /// `text` broken into lines of at most `width` characters, at spaces where possible.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var word = Substring(word)
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            while word.count > width {
                if !line.isEmpty { lines.append(line); line = "" }
                lines.append(String(word.prefix(width)))
                word = word.dropFirst(width)
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}
