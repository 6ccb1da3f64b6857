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

    public init(
        id: Int64, name: String, tier: String, displayPrefix: String, isActive: Bool,
        createdAt: Timestamp, expiresAt: Timestamp?, lastUsedAt: Timestamp?
    ) {
        self.id = id
        self.name = name
        self.tier = tier
        self.displayPrefix = displayPrefix
        self.isActive = isActive
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
    }

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
