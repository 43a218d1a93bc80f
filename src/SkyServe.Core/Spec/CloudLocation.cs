namespace SkyServe.Core.Spec;

/// <summary>
/// A place replicas may run: a cloud (<c>aws</c>, <c>gcp</c>, <c>azure</c> or <c>local</c>, lower case), and
/// optionally a region and a zone in it. Written in specs as SkyPilot's <c>infra: aws/us-east-1/us-east-1a</c>
/// or as <c>cloud:</c>/<c>region:</c>/<c>zone:</c> keys.
/// </summary>
public sealed record CloudLocation(string Cloud, string? Region = null, string? Zone = null)
{
    /// <summary>The SkyPilot <c>infra</c> string: <c>cloud[/region[/zone]]</c>.</summary>
    public string ToInfra() =>
        Region is null ? Cloud : Zone is null ? $"{Cloud}/{Region}" : $"{Cloud}/{Region}/{Zone}";

    public override string ToString() => ToInfra();
}
