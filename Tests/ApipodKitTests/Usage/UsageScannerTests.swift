import Testing
@testable import ApipodKit

/// The usage scan of each dialect's answers, fed whole, at every split into two pieces, and a
/// byte at a time: it must find the same figures however the bytes arrive.
struct UsageScannerTests {
    static let openAIJSON = #"{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-2024","choices":[{"index":0,"message":{"role":"assistant","content":"the \"usage\": {\"prompt_tokens\": 999}"},"finish_reason":"stop"}],"usage":{"prompt_tokens":120,"completion_tokens":33,"total_tokens":153,"prompt_tokens_details":{"cached_tokens":100,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":7}}}"#

    static let openAIStream = """
        data: {"id":"c","object":"chat.completion.chunk","model":"gemini-3-flash","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}

        data: {"id":"c","object":"chat.completion.chunk","model":"gemini-3-flash","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}

        data: {"id":"c","object":"chat.completion.chunk","model":"gemini-3-flash","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":5,"total_tokens":17,"prompt_tokens_details":{"cached_tokens":4}}}

        data: [DONE]


        """

    static let anthropicJSON = """
        {"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"ok"}],
         "stop_reason":"end_turn","usage":{"input_tokens":10,"cache_creation_input_tokens":20,"cache_read_input_tokens":300,"output_tokens":42}}
        """

    static let anthropicStream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"usage":{"input_tokens":25,"cache_read_input_tokens":5,"output_tokens":1}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\\"usage\\":{\\"output_tokens\\":9999}"}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":15}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    static let responsesStream = """
        event: response.created
        data: {"type":"response.created","response":{"id":"resp_1","model":"gpt-5","usage":null,"tools":[{"type":"function","parameters":{"properties":{"usage":{"type":"object","properties":{"input_tokens":{"type":"integer"}}}}}}]}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","delta":"Hello"}

        event: response.completed
        data: {"type":"response.completed","response":{"id":"resp_1","model":"gpt-5","usage":{"input_tokens":50,"input_tokens_details":{"cached_tokens":20},"output_tokens":8,"output_tokens_details":{"reasoning_tokens":3},"total_tokens":58}}}


        """

    static let responsesJSON = #"{"id":"resp_1","object":"response","model":"gpt-5-mini","output":[],"usage":{"input_tokens":7,"input_tokens_details":{"cached_tokens":0},"output_tokens":2,"total_tokens":9}}"#

    static let cases: [(name: String, dialect: UsageDialect, text: String, usage: TokenUsage, model: String)] = [
        ("openai json", .openAI, openAIJSON, TokenUsage(input: 120, output: 33, cached: 100), "gpt-4o-2024"),
        ("openai stream", .openAI, openAIStream, TokenUsage(input: 12, output: 5, cached: 4), "gemini-3-flash"),
        ("anthropic json", .anthropic, anthropicJSON, TokenUsage(input: 330, output: 42, cached: 300), "claude-sonnet-4-5"),
        ("anthropic stream", .anthropic, anthropicStream, TokenUsage(input: 30, output: 15, cached: 5), "claude-sonnet-4-5"),
        ("responses stream", .responses, responsesStream, TokenUsage(input: 50, output: 8, cached: 20), "gpt-5"),
        ("responses json", .responses, responsesJSON, TokenUsage(input: 7, output: 2, cached: 0), "gpt-5-mini"),
    ]

    @Test(arguments: 0..<cases.count)
    func everySplitFindsTheSameUsage(_ index: Int) {
        let example = Self.cases[index]
        let bytes = Array(example.text.utf8)
        for split in 0...bytes.count {
            var scanner = UsageScanner(dialect: example.dialect)
            scanner.scan(bytes[..<split])
            scanner.scan(bytes[split...])
            #expect(scanner.usage == example.usage, "\(example.name), split at \(split)")
            #expect(scanner.model == example.model, "\(example.name), split at \(split)")
        }
        var single = UsageScanner(dialect: example.dialect)
        for offset in bytes.indices { single.scan(bytes[offset..<(offset + 1)]) }
        #expect(single.usage == example.usage, "\(example.name), one byte at a time")
        #expect(single.model == example.model, "\(example.name), one byte at a time")
    }

    @Test func anAnswerWithoutUsageHasNone() {
        var scanner = UsageScanner(dialect: .openAI)
        scanner.scan(Array(#"{"error":{"message":"bad","type":"invalid_request_error"},"usage":null}"#.utf8)[...])
        #expect(scanner.usage == nil)
        #expect(scanner.model == nil)
    }

    @Test func aLongStringIsNotKept() {
        var scanner = UsageScanner(dialect: .openAI)
        let long = String(repeating: "x", count: 10_000)
        scanner.scan(Array(#"{"model":"\#(long)","usage":{"prompt_tokens":1,"completion_tokens":2}}"#.utf8)[...])
        #expect(scanner.model == nil)
        #expect(scanner.usage == TokenUsage(input: 1, output: 2, cached: 0))
    }

    @Test func aModelNameTooLongToKeepLeavesNothingForTheNext() {
        var split = UsageScanner(dialect: .anthropic)
        let bytes = Array(#"{"model":"\#(String(repeating: "y", count: 200))","message":{"model":"claude-sonnet-4-5"}}"#.utf8)
        split.scan(bytes[..<150])
        split.scan(bytes[150...])
        #expect(split.model == "claude-sonnet-4-5")
    }

    /// A name is one of interest only spelled out plainly: one with an escape, or one that
    /// merely starts like a field, is not, whether it arrives whole or across pieces.
    @Test func onlyPlainlySpelledNamesCount() {
        let text = #"{"usage":{"prompt\u005ftokens":7,"completion_tokens_and_then_some_more":9,"completion_tokens":2,"input_tokens_":4}}"#
        let bytes = Array(text.utf8)
        for split in 0...bytes.count {
            var scanner = UsageScanner(dialect: .openAI)
            scanner.scan(bytes[..<split])
            scanner.scan(bytes[split...])
            #expect(scanner.usage == TokenUsage(input: 0, output: 2, cached: 0), "split at \(split)")
        }
    }
}
