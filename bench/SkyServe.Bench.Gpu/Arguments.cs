namespace SkyServe.Bench.Gpu;

/// <summary>--name value pairs.</summary>
internal sealed class Arguments(Dictionary<string, string> values)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
            values[args[i].TrimStart('-')] = args[i + 1];
        return new Arguments(values);
    }

    public string? Get(string name) => values.GetValueOrDefault(name);
    public string Require(string name) => Get(name) ?? throw new ArgumentException($"--{name} is required");
    public int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v) : fallback;
    public int[] Ints(string name, int[] fallback) => Get(name) is { } v ? [.. v.Split(',').Select(int.Parse)] : fallback;
}
