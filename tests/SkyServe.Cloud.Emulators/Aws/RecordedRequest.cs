namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>A request the emulator received, after its signature was checked; <see cref="ErrorCode"/> when it was refused.</summary>
public sealed record RecordedRequest(
    string Service,
    string Action,
    string Region,
    string AccessKey,
    IReadOnlyList<KeyValuePair<string, string>> Parameters,
    int Status,
    string? ErrorCode)
{
    /// <summary>The value of a form field, or null.</summary>
    public string? this[string name] => Parameters.FirstOrDefault(p => p.Key == name).Value;

    /// <summary>Every field under a prefix (TagSpecification.1., InstanceMarketOptions.).</summary>
    public IReadOnlyDictionary<string, string> Under(string prefix) =>
        Parameters.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value);
}
