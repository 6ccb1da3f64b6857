import Glibc

/// Pearson's goodness-of-fit test, to say whether observed routing counts fit the weights.
public struct ChiSquareTest: Sendable, Equatable {
    public let statistic: Double
    public let degreesOfFreedom: Int
    /// The probability of a statistic at least this large if the weights are right.
    public let pValue: Double

    public init(observed: [Int], expectedShares: [Double]) {
        let total = Double(observed.reduce(0, +))
        var statistic = 0.0
        for (count, share) in zip(observed, expectedShares) {
            let expected = total * share
            // A draw where none is expected cannot fit, however few the draws.
            if expected == 0 {
                if count > 0 { statistic = .infinity }
                continue
            }
            statistic += (Double(count) - expected) * (Double(count) - expected) / expected
        }
        self.statistic = statistic
        self.degreesOfFreedom = max(observed.count - 1, 0)
        self.pValue = switch (degreesOfFreedom, statistic.isFinite) {
        case (0, _): 1
        case (_, false): 0
        default: Self.upperRegularizedGamma(Double(degreesOfFreedom) / 2, statistic / 2)
        }
    }

    /// Q(a, x) = Γ(a, x) / Γ(a): the chi-square survival function is Q(k/2, χ²/2).
    /// A series below a + 1, Lentz's continued fraction above, as in Numerical Recipes §6.2.
    static func upperRegularizedGamma(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        let logPrefix = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var term = 1 / a, sum = term, n = a
            for _ in 0..<1000 {
                n += 1
                term *= x / n
                sum += term
                if abs(term) < abs(sum) * 1e-15 { break }
            }
            return max(0, 1 - sum * exp(logPrefix))
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, fraction = d
        for i in 1..<1000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return min(1, exp(logPrefix) * fraction)
    }
}
