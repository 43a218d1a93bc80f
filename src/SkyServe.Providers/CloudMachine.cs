namespace SkyServe.Providers;

/// <summary>A machine as the provider reports it.</summary>
public sealed record CloudMachine(
    string Id,
    string ClientToken,
    OfferingKey Offering,
    MachineState State,
    IReadOnlyDictionary<string, string> Tags,
    DateTimeOffset LaunchedAt)
{
    /// <summary>Where the replica agent answers, once known (http://host:port).</summary>
    public string? Endpoint { get; init; }
}
