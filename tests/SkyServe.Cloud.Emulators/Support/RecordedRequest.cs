namespace SkyServe.Cloud.Emulators;

/// <summary>One request as an emulator received it, for tests that check what a client really sends.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? Body, IReadOnlyDictionary<string, string> Headers)
{
    public override string ToString() => $"{Method} {Path}{Query}{(Body is null ? "" : "\n" + Body)}";
}
