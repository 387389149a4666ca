import Foundation

/// Pillow's resampling filters, with Pillow's numbering (the `resample` value of a
/// `preprocessor_config.json`).
public enum ResamplingFilter: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// 0: the nearest source pixel, no filtering.
    case nearest = 0
    /// 1: Lanczos (a sinc windowed by a sinc, 3 lobes).
    case lanczos = 1
    /// 2: bilinear (a triangle of radius 1); google/vit-base-patch16-224's filter.
    case bilinear = 2
    /// 3: bicubic (Keys' cubic with a = −0.5, radius 2).
    case bicubic = 3
    /// 4: box (each output pixel averages the input pixels it covers).
    case box = 4
    /// 5: Hamming (a sinc windowed by a Hamming window, radius 1).
    case hamming = 5

    /// The filter's name, as Pillow spells it.
    public var description: String {
        switch self {
        case .nearest: return "NEAREST"
        case .lanczos: return "LANCZOS"
        case .bilinear: return "BILINEAR"
        case .bicubic: return "BICUBIC"
        case .box: return "BOX"
        case .hamming: return "HAMMING"
        }
    }

    /// The filter's radius in source pixels at scale 1 (Pillow's `support`); `nil` for nearest, which Pillow
    /// implements as an affine transform instead.
    var support: Double? {
        switch self {
        case .nearest: return nil
        case .box: return 0.5
        case .bilinear, .hamming: return 1
        case .bicubic: return 2
        case .lanczos: return 3
        }
    }

    /// The filter's weight at distance `x`, computed with the same double-precision expressions as Pillow's
    /// `Resample.c`, so the coefficients (and with them every rounded pixel) come out identical.
    func weight(_ x: Double) -> Double {
        switch self {
        case .nearest:
            return 0
        case .box:
            return x > -0.5 && x <= 0.5 ? 1 : 0
        case .bilinear:
            let distance = abs(x)
            return distance < 1 ? 1 - distance : 0
        case .hamming:
            let distance = abs(x)
            if distance == 0 { return 1 }
            if distance >= 1 { return 0 }
            let angle = distance * Double.pi
            // Pillow writes these constants as C floats (0.54f, 0.46f), so they carry float rounding.
            return sin(angle) / angle * (Double(Float(0.54)) + Double(Float(0.46)) * cos(angle))
        case .bicubic:
            let a = -0.5
            let distance = abs(x)
            if distance < 1 { return ((a + 2) * distance - (a + 3)) * distance * distance + 1 }
            if distance < 2 { return (((distance - 5) * distance + 8) * distance - 4) * a }
            return 0
        case .lanczos:
            guard -3 <= x && x < 3 else { return 0 }
            return Self.sinc(x) * Self.sinc(x / 3)
        }
    }

    private static func sinc(_ x: Double) -> Double {
        if x == 0 { return 1 }
        let angle = x * Double.pi
        return sin(angle) / angle
    }
}
