import Testing
@testable import ImagePreprocessing

/// `RGBImage.resized` against Pillow 13's `Image.resize` on synthetic images: every filter, up- and
/// downscaling, one axis at a time, odd sizes, 1×1, and extreme aspect ratios.
@Suite struct ResamplingTests {
    typealias Case = ResampleCase<ReferenceIndex.ResampleInput.Output>

    static let cases: [Case] = Fixtures.index.resample.flatMap { input in
        input.outputs.map { Case(input: input, output: $0) }
    }

    @Test func everyFilterIsCovered() {
        let filters = Set(Self.cases.map(\.output.filter))
        #expect(filters == Set(ResamplingFilter.allCases.map(\.rawValue)))
        #expect(Self.cases.count >= 100)
    }

    @Test(arguments: cases)
    func resizeMatchesPillow(_ test: Case) throws {
        let filter = try #require(ResamplingFilter(rawValue: test.output.filter))
        let resized = try test.inputImage().resized(width: test.output.width, height: test.output.height, filter: filter)
        let expected = try Fixtures.array(test.output.pixels, rows: test.output.height, rowLength: test.output.width,
                                          channels: 3)
        let difference = Difference(resized.pixels, expected)
        #expect(difference.isZero, "\(test.testDescription): \(difference)")
    }

    @Test func coefficientsAreNormalizedFixedPoint() {
        // Downscaling 10 -> 3 with bilinear widens the support to 3.33 source pixels; every row of weights
        // sums to 2^22 up to rounding of each tap.
        let coefficients = ResamplingCoefficients(inputSize: 10, outputSize: 3, filter: .bilinear)
        #expect(coefficients.stride == 9)
        for index in 0..<3 {
            let row = coefficients.weights[(index * coefficients.stride)..<((index + 1) * coefficients.stride)]
            let sum = row.reduce(0) { $0 + Int($1) }
            #expect(abs(sum - (1 << 22)) <= coefficients.counts[index])
        }
        #expect(coefficients.starts == [0, 2, 5])
    }

    @Test func sameSizeIsACopy() {
        let image = RGBImage(width: 3, height: 2, pixels: Array(0..<18))
        for filter in ResamplingFilter.allCases {
            #expect(image.resized(width: 3, height: 2, filter: filter) == image)
        }
    }
}
