/// The one place an upstream transport is made, by the upstream's scheme: `http://` gets our own
/// client on the event loops; `https://` gets URLSession, whose library (`libApipodHTTPS.so`)
/// is loaded here, at the first `https://` upstream, and never for `http://` alone.
public enum UpstreamTransports {
    /// - Throws: `HTTPSLibraryError` (exit 69) when the upstream is `https://` and the library
    ///   cannot be loaded.
    public static func make(url: UpstreamURL, configuration: HTTPClientConfiguration, group: EventLoopGroup) throws -> any UpstreamTransport {
        switch url.scheme {
        case .http: HTTPClient(configuration: configuration, group: group)
        case .https: try URLSessionClient(upstream: url, configuration: configuration)
        }
    }
}
