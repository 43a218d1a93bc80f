using System.Globalization;

namespace SkyServe.Providers.Docker;

/// <summary>The agents' ports on a host, <c>FIRST-LAST</c> inclusive (<see cref="DockerProviderOptions.AgentPorts"/>).</summary>
public sealed record DockerPortRange(int First, int Last)
{
    public int Count => Last - First + 1;

    public bool Contains(int port) => port >= First && port <= Last;

    public static bool TryParse(string? text, out DockerPortRange range)
    {
        range = new DockerPortRange(0, -1);
        var parts = (text ?? "").Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is < 1 or > 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
            || !int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
            || first is < 1 or > 65535 || last is < 1 or > 65535 || last < first)
            return false;
        range = new DockerPortRange(first, last);
        return true;
    }

    public static DockerPortRange Parse(string? text) => TryParse(text, out var range)
        ? range
        : throw new ArgumentException($"AgentPorts must be FIRST-LAST with ports from 1 to 65535, FIRST not above LAST (got '{text}')");

    public override string ToString() => $"{First}-{Last}";
}
