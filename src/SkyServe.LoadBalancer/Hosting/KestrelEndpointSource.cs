using Microsoft.Extensions.Configuration;

namespace SkyServe.LoadBalancer.Hosting;

/// <summary>
/// Kestrel's endpoint configuration held in memory and replaced whole: Kestrel watches it (reloadOnChange) and binds
/// or unbinds only the endpoints that changed, so services' own ports come and go while the shared port stays.
/// </summary>
internal sealed class KestrelEndpointSource : ConfigurationProvider, IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

    /// <summary>Endpoint name to URL; unchanged values do not disturb Kestrel.</summary>
    public void Replace(IReadOnlyDictionary<string, string> urls)
    {
        var next = urls.ToDictionary(entry => $"Endpoints:{entry.Key}:Url", entry => (string?)entry.Value, StringComparer.OrdinalIgnoreCase);
        if (next.Count == Data.Count && next.All(entry => Data.TryGetValue(entry.Key, out var url) && url == entry.Value))
            return;
        Data = next;
        OnReload();
    }
}
