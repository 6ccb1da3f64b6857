/// What is known about a key without the key itself: the shape storage returns and
/// `keys list`, the admin API and the authenticator work with.
public struct KeyRecord: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var tier: String
    public var displayPrefix: String
    public var isActive: Bool
    public var createdAt: Timestamp
    public var expiresAt: Timestamp?
    public var lastUsedAt: Timestamp?
    /// The key's own limits; nil fields fall back to `tierLimits`.
    public var limits: KeyLimits
    /// The limits its tier carried when the record was read (none when the tier has none set).
    public var tierLimits: KeyLimits

    public init(
        id: Int64, name: String, tier: String, displayPrefix: String, isActive: Bool,
        createdAt: Timestamp, expiresAt: Timestamp?, lastUsedAt: Timestamp?,
        limits: KeyLimits = .none, tierLimits: KeyLimits = .none
    ) {
        self.id = id
        self.name = name
        self.tier = tier
        self.displayPrefix = displayPrefix
        self.isActive = isActive
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.limits = limits
        self.tierLimits = tierLimits
    }

    /// What the proxy enforces: the key's own value, else its tier's, else no limit.
    public var effectiveLimits: KeyLimits { limits.overlaid(on: tierLimits) }

    /// Disabled wins over expired: an operator's explicit decision is the more useful answer.
    public func status(at now: Timestamp) -> KeyStatus {
        if !isActive { return .disabled }
        if let expiresAt, expiresAt <= now { return .expired }
        return .active
    }
}

public enum KeyStatus: String, Sendable, Equatable, CaseIterable {
    case active, disabled, expired
}

/// The default tier of the original service, kept so its clients see the same values.
public let defaultTier = "elite"
