/// The tokens one answer used, as the proxy counts them whatever the dialect: `input` is every
/// input token the model read (cached ones included), `cached` the part of it read from the
/// provider's prompt cache, `output` what it generated.
public struct TokenUsage: Sendable, Equatable {
    public var input: Int
    public var output: Int
    public var cached: Int

    public init(input: Int = 0, output: Int = 0, cached: Int = 0) {
        self.input = input
        self.output = output
        self.cached = cached
    }
}

/// Which API an answer speaks, which decides how its usage fields add up (SPEC §9).
public enum UsageDialect: Sendable, Equatable {
    /// Chat and text completions, embeddings: `prompt_tokens` (cached included),
    /// `completion_tokens`, `prompt_tokens_details.cached_tokens`.
    case openAI
    /// Messages: `input_tokens` counts only the uncached part, so the input is
    /// `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`; cached is the reads.
    case anthropic
    /// Responses: `input_tokens` (cached included), `output_tokens`, `input_tokens_details.cached_tokens`.
    case responses

    public init(path: String) {
        if path.hasPrefix("/v1/messages") {
            self = .anthropic
        } else if path.hasPrefix("/v1/responses") {
            self = .responses
        } else {
            self = .openAI
        }
    }
}
