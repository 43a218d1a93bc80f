namespace SkyServe.Testing;

/// <summary>HTTP clients for loopback servers: never through a proxy that the environment may name.</summary>
public static class LoopbackHttp
{
    public static HttpClient NewClient(Uri? baseAddress = null) =>
        new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
}
