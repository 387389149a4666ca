import Testing

/// Expects `body` to throw exactly `expected`.
public func expectError<E: Error & Equatable>(_ expected: E, sourceLocation: SourceLocation = #_sourceLocation,
                                       _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(expected), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as E {
        #expect(error == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}

/// Expects the async `body` to throw exactly `expected`.
public func expectError<E: Error & Equatable>(_ expected: E, sourceLocation: SourceLocation = #_sourceLocation,
                                       _ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected \(expected), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as E {
        #expect(error == expected, sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
    }
}
