namespace SkyServe.Providers.Local;

/// <summary>What the local runtime persists: the market's epoch, the metadata port agents poll, and the machines.</summary>
public sealed class LocalState
{
    public DateTimeOffset Epoch { get; set; }
    public int MetadataPort { get; set; }
    public List<LocalMachine> Machines { get; set; } = [];
}
