namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>The HTTP client every notice source uses for its metadata service.</summary>
public static class MetadataHttp
{
    /// <summary>Metadata services answer in milliseconds on the machine; a hung call must not hold up the next poll for long.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Never through a proxy: the metadata service is link-local (or loopback for the Local provider), and
    /// AWS, GCP and Azure all refuse requests that carry X-Forwarded-For.</summary>
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { UseProxy = false }) { Timeout = RequestTimeout };
}
