import Foundation
import SwiftViT
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One answer from the server.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as one JSON object.
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
    }

    /// The body as JSON lines, one object each.
    var jsonLines: [[String: Any]] {
        text.split(separator: "\n").map { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) ?? [:] }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }
}

/// A prediction as the JSON gives it back.
struct JSONPrediction: Equatable {
    var label: String
    var index: Int
    var score: Float
    var logit: Float

    /// The library's prediction, as the JSON should give it.
    init(_ classification: Classification) {
        self.init(label: classification.label, index: classification.index, score: classification.score,
                  logit: classification.logit)
    }

    init(label: String, index: Int, score: Float, logit: Float) {
        self.label = label
        self.index = index
        self.score = score
        self.logit = logit
    }

    /// The predictions of a record (`{"predictions":[…]}`).
    static func list(in record: [String: Any]) -> [JSONPrediction]? {
        (record["predictions"] as? [[String: Any]])?.map {
            JSONPrediction(label: $0["label"] as? String ?? "?", index: ($0["index"] as? NSNumber)?.intValue ?? -1,
                           score: ($0["score"] as? NSNumber)?.floatValue ?? .nan,
                           logit: ($0["logit"] as? NSNumber)?.floatValue ?? .nan)
        }
    }
}

extension ServerProcess {
    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)\(path)")! }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> HTTPAnswer {
        try await send(method: "GET", path, body: nil, headers: headers)
    }

    /// `POST /v1/classify` with `body` as the image bytes.
    func classify(_ body: Data, query: String = "", headers: [String: String] = [:]) async throws -> HTTPAnswer {
        try await send(method: "POST", "/v1/classify" + query, body: body, headers: headers)
    }

    /// `POST /v1/classify` with `files` as `multipart/form-data`.
    func classify(files: [(name: String, data: Data)], query: String = "") async throws -> HTTPAnswer {
        let boundary = "vit-serve-test-\(UUID().uuidString)"
        var body = Data()
        for (name, data) in files {
            body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"\(name)\"\r\n".utf8)
            body += Data("Content-Type: application/octet-stream\r\n\r\n".utf8) + data + Data("\r\n".utf8)
        }
        body += Data("--\(boundary)--\r\n".utf8)
        return try await send(method: "POST", "/v1/classify" + query, body: body,
                              headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"])
    }

    func send(method: String, _ path: String, body: Data?, headers: [String: String]) async throws -> HTTPAnswer {
        var request = URLRequest(url: url(path), timeoutInterval: 60)
        request.httpMethod = method
        request.httpBody = body
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields["\(key)"] = "\(value)" }
        return HTTPAnswer(status: http.statusCode, headers: fields, body: data)
    }

    /// The value of the metric sample `name` (with its labels as written, e.g.
    /// `vit_serve_requests_total{route="/v1/classify",status="200"}`), 0 if absent.
    func metric(_ name: String) async throws -> Double {
        let text = try await get("/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1)) ?? .nan
        }
        return 0
    }
}

/// A raw TCP connection to the server, for what an HTTP client library will not do: stall in
/// the middle of a body.
final class RawConnection {
    private let socket: Int32

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw ServerFailure(message: "cannot connect to port \(port)") }
    }

    deinit { close(socket) }

    func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, 0) }
    }
}
