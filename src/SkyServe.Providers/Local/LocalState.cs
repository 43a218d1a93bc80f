namespace SkyServe.Providers.Local;

/// <summary>
/// What the local runtime persists: the market's epoch, the metadata port agents poll (held by one of the processes
/// sharing the runtime, <see cref="MetadataHost"/>), and the machines.
/// </summary>
public sealed class LocalState
{
    public DateTimeOffset Epoch { get; set; }

    /// <summary>Names this runtime on its metadata endpoint, so a process can tell its own runtime's server on the port from a stranger.</summary>
    public string? RuntimeId { get; set; }

    public int MetadataPort { get; set; }
    public List<LocalMachine> Machines { get; set; } = [];
}
