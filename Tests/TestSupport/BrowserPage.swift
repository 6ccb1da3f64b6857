import ApipodKit

/// One tab of a `Chromium`, attached with a flat session: every command carries its session id.
/// The helpers act as a person does (typing goes to the focused element, Enter is a key press)
/// and wait for a state of the page, never for a time.
public struct BrowserPage: Sendable {
    public let browser: Chromium
    public let session: String

    public func send(_ method: String, _ params: [(String, JSONOutput)] = []) async throws -> JSONValue {
        try await browser.send(method, params, session: session)
    }

    /// The value of a script expression (promises awaited); an exception in the page throws.
    @discardableResult
    public func evaluate(_ expression: String) async throws -> JSONValue {
        let answer = try await send("Runtime.evaluate", [
            ("expression", .string(expression)), ("returnByValue", .bool(true)), ("awaitPromise", .bool(true)),
        ])
        if let details = answer["exceptionDetails"] {
            let text = details["exception"]?["description"]?.stringValue ?? details["text"]?.stringValue ?? "an exception"
            throw Chromium.Failure.protocolError(method: "Runtime.evaluate \(expression)", message: text)
        }
        return answer["result"]?["value"] ?? .null
    }

    /// Waits until `expression` is truthy in the page, rechecking every 50 ms; gives up after
    /// `limit` (generous: the wait is the behaviour, not a measurement). A navigation in
    /// between only means asking again.
    public func waitUntil(_ expression: String, limit: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            do {
                if try await evaluate("!!(\(expression))") == .bool(true) { return }
            } catch Chromium.Failure.protocolError(_, let message) where message.contains("navigated") || message.contains("context") {
                // The page was replaced while the expression ran: ask the new one.
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Chromium.Failure.timedOut("still false after \(limit): \(expression)")
    }

    /// Types into the focused element, as an input method would.
    public func type(_ text: String) async throws {
        _ = try await send("Input.insertText", [("text", .string(text))])
    }

    public func pressEnter() async throws {
        try await press(key: "Enter", code: 13, text: "\r")
    }

    /// Moves the focus on, as the Tab key does.
    public func pressTab() async throws {
        try await press(key: "Tab", code: 9, text: nil)
    }

    private func press(key: String, code: Int64, text: String?) async throws {
        for kind in ["keyDown", "keyUp"] {
            var params: [(String, JSONOutput)] = [
                ("type", .string(kind)), ("key", .string(key)), ("code", .string(key)), ("windowsVirtualKeyCode", .integer(code)),
            ]
            if let text, kind == "keyDown" { params.append(("text", .string(text))) }
            _ = try await send("Input.dispatchKeyEvent", params)
        }
    }

    /// Focuses the element `selector` names and clicks it the way a mouse does, at its centre.
    public func click(_ selector: String) async throws {
        let point = try await evaluate("""
            (() => { const e = document.querySelector(\(JSONOutput.string(selector).rendered())); e.scrollIntoView({block: 'center'});
              const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()
            """)
        guard case .array(let xy) = point, xy.count == 2, let x = xy[0].numberValue, let y = xy[1].numberValue else {
            throw Chromium.Failure.protocolError(method: "click", message: "no element \(selector)")
        }
        for kind in ["mousePressed", "mouseReleased"] {
            _ = try await send("Input.dispatchMouseEvent", [
                ("type", .string(kind)), ("x", .number(x)), ("y", .number(y)), ("button", .string("left")), ("clickCount", .integer(1)),
            ])
        }
    }

    /// Sets the viewport to a laptop's or a phone's size.
    public func resize(width: Int, height: Int, phone: Bool) async throws {
        _ = try await send("Emulation.setDeviceMetricsOverride", [
            ("width", .integer(Int64(width))), ("height", .integer(Int64(height))),
            ("deviceScaleFactor", .integer(phone ? 3 : 1)), ("mobile", .bool(phone)),
        ])
    }

    /// This page's events so far.
    public var events: [Chromium.Event] { browser.events.filter { $0.session == session } }
}
