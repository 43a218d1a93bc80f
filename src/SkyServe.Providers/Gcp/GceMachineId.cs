namespace SkyServe.Providers.Gcp;

/// <summary>A GCE machine's id is <c>zone/name</c>: instance names are unique only within a zone.</summary>
internal readonly record struct GceMachineId(string Zone, string Name)
{
    public override string ToString() => $"{Zone}/{Name}";

    public static bool TryParse(string id, out GceMachineId parsed)
    {
        var parts = id.Split('/');
        parsed = parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0 ? new GceMachineId(parts[0], parts[1]) : default;
        return parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0;
    }

    /// <summary>From a resource URL such as <c>.../projects/p/zones/us-central1-a/instances/ss-1</c>.</summary>
    public static GceMachineId? FromLink(string? link)
    {
        var parts = (link ?? "").Split('/');
        var zone = Array.IndexOf(parts, "zones");
        var instance = Array.IndexOf(parts, "instances");
        return zone >= 0 && instance == zone + 2 && instance + 1 < parts.Length ? new GceMachineId(parts[zone + 1], parts[instance + 1]) : null;
    }
}
