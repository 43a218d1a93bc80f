using Xunit;
using System.Globalization;
using System.Text.RegularExpressions;

namespace SkyServe.Testing;

/// <summary>
/// A strict reader of Prometheus' text format 0.0.4, for tests: it fails on anything a Prometheus server would
/// refuse or misread (a sample before its family's TYPE, an unknown type, a duplicate series, a bad number),
/// and checks every histogram's buckets (ascending le, cumulative counts, +Inf equal to _count).
/// </summary>
public sealed partial class PrometheusScrape
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public Dictionary<string, string> Types { get; } = [];
    public Dictionary<string, string> Help { get; } = [];
    public List<Sample> Samples { get; } = [];

    public static PrometheusScrape Parse(string text)
    {
        var scrape = new PrometheusScrape();
        var series = new HashSet<string>();
        Assert.EndsWith("\n", text);
        foreach (var line in text.Split('\n').SkipLast(1))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ', 2);
                Assert.True(scrape.Help.TryAdd(parts[0], parts.Length > 1 ? parts[1] : ""), $"two HELP lines for {parts[0]}");
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line[7..].Split(' ');
                Assert.Equal(2, parts.Length);
                Assert.Contains(parts[1], new[] { "counter", "gauge", "histogram", "summary", "untyped" });
                Assert.True(scrape.Types.TryAdd(parts[0], parts[1]), $"two TYPE lines for {parts[0]}");
                Assert.Matches(NameRegex(), parts[0]);
                continue;
            }
            var m = SampleRegex().Match(line);
            Assert.True(m.Success, $"not a sample line: '{line}'");
            var name = m.Groups["name"].Value;
            var labels = new Dictionary<string, string>();
            foreach (Match label in LabelRegex().Matches(m.Groups["labels"].Value))
                labels.Add(label.Groups[1].Value, Regex.Unescape(label.Groups[2].Value));
            var value = m.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            var family = scrape.FamilyOf(name);
            Assert.True(family is not null, $"{name} appears before any TYPE of its family");
            if (scrape.Types[family] == "counter")
                Assert.True(value >= 0, $"{name} is a counter below 0");
            Assert.True(series.Add(name + "{" + string.Join(",", labels.OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")) + "}"), $"duplicate series {line}");
            scrape.Samples.Add(new Sample(name, labels, value));
        }
        foreach (var (family, type) in scrape.Types.Where(t => t.Value == "histogram"))
            scrape.CheckHistogram(family);
        return scrape;
    }

    private string? FamilyOf(string sample)
    {
        if (Types.ContainsKey(sample))
            return sample;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && Types.TryGetValue(sample[..^suffix.Length], out var type) && type == "histogram")
                return sample[..^suffix.Length];
        return null;
    }

    private void CheckHistogram(string family)
    {
        var buckets = Samples.Where(s => s.Name == family + "_bucket")
            .GroupBy(s => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key).Select(l => $"{l.Key}={l.Value}")));
        foreach (var group in buckets)
        {
            var list = group.ToList();
            var bounds = list.Select(s => s.Labels["le"] == "+Inf" ? double.PositiveInfinity : double.Parse(s.Labels["le"], CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(bounds.Order(), bounds);
            Assert.Equal(double.PositiveInfinity, bounds[^1]);
            for (var i = 1; i < list.Count; i++)
                Assert.True(list[i].Value >= list[i - 1].Value, $"{family} buckets are not cumulative");
            var labels = list[0].Labels.Where(l => l.Key != "le").ToDictionary();
            Assert.Equal(list[^1].Value, Value(family + "_count", labels));
            Assert.NotNull(Find(family + "_sum", labels));
        }
    }

    public Sample? Find(string name, IReadOnlyDictionary<string, string>? labels = null) =>
        Samples.SingleOrDefault(s => s.Name == name && (labels is null || labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)));

    /// <summary>The one sample of that name whose labels include the given ones.</summary>
    public double Value(string name, IReadOnlyDictionary<string, string>? labels = null) =>
        (Find(name, labels) ?? throw new Xunit.Sdk.XunitException($"no sample {name}")).Value;

    public double Value(string name, params (string Name, string Value)[] labels) =>
        Value(name, labels.ToDictionary(l => l.Name, l => l.Value));

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$")]
    private static partial Regex SampleRegex();

    [GeneratedRegex("""([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?""")]
    private static partial Regex LabelRegex();
}
