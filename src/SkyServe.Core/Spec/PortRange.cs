namespace SkyServe.Core.Spec;

/// <summary>A port or an inclusive port range opened on a replica (<c>resources.ports</c>: <c>8080</c> or <c>"10020-10040"</c>).</summary>
public sealed record PortRange(int Start, int End)
{
    public static PortRange Single(int port) => new(port, port);

    public bool IsSinglePort => Start == End;

    public int Count => End - Start + 1;

    public override string ToString() => IsSinglePort ? Start.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{Start}-{End}";
}
