using SkyServe.Core.Catalog;
using SkyServe.Core.Traces;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace SkyServe.Providers.Local;

/// <summary>Reads a zone file and builds the market it describes, with instance types and prices from the local catalog.</summary>
public static class LocalZonesLoader
{
    public static LocalZonesFile Read(string path)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        try
        {
            var file = deserializer.Deserialize<LocalZonesFile?>(File.ReadAllText(path)) ?? new LocalZonesFile();
            if (file.Zones.Count == 0)
                throw new InvalidDataException($"{path}: no zones are listed under 'zones'");
            if (file.TimeCompression <= 0)
                throw new InvalidDataException($"{path}: time_compression must be positive");
            return file;
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{path} (line {e.Start.Line}, column {e.Start.Column}): {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    public static LocalProviderOptions ApplyTo(LocalZonesFile file, LocalProviderOptions options) => options with
    {
        TimeCompression = file.TimeCompression,
        NoticeLead = TimeSpan.FromSeconds(file.NoticeSeconds),
        ProvisioningDelay = TimeSpan.FromSeconds(file.ProvisioningSeconds),
    };

    /// <summary>The market of a zone file: trace zones replay their file, the others follow the seeded random process.</summary>
    public static LocalMarket BuildMarket(LocalZonesFile file, string fileDirectory, CloudCatalog localCatalog)
    {
        var capacities = SpotCapacities(file.Zones, fileDirectory, file.Seed);
        return BuildMarket(file.Zones.Select(entry => (entry.Infra, capacities[entry.Infra])).ToList(), localCatalog);
    }

    /// <summary>
    /// Each zone's spot capacity (by its <see cref="LocalZoneEntry.Infra"/>): a zone with a trace replays that file
    /// (relative to <paramref name="fileDirectory"/>) from its offset; the others follow the seeded random process
    /// (zones of one region correlated). The Docker provider's spot market uses it too.
    /// </summary>
    public static IReadOnlyDictionary<string, ISpotCapacity> SpotCapacities(IReadOnlyList<LocalZoneEntry> zones, string fileDirectory, int seed)
    {
        var randomZones = zones.Where(z => z.Trace is null).ToList();
        var random = randomZones.Count == 0 ? [] : RandomCapacityFor(randomZones, seed);
        return zones.ToDictionary(entry => entry.Infra, entry => entry.Trace is { } trace
            ? new TraceSpotCapacity(LoadTrace(Path.Combine(fileDirectory, trace)), TimeSpan.FromHours(entry.TraceOffsetHours))
            : (ISpotCapacity)new TraceSpotCapacity(random[entry.Infra], TimeSpan.Zero));
    }

    /// <summary>
    /// A market of the given zones. Each zone offers its simulated cloud's instance types from the local
    /// catalog, priced as the catalog entry they stand for in that zone's region (or, for a zone in a
    /// region the catalog does not list, in the cloud's first region).
    /// </summary>
    public static LocalMarket BuildMarket(IReadOnlyList<(string Infra, ISpotCapacity Capacity)> zoneCapacities, CloudCatalog localCatalog)
    {
        var zones = new List<LocalZone>();
        var offerings = new List<InstanceOffering>();
        foreach (var (infra, capacity) in zoneCapacities)
        {
            var parts = infra.Split('/');
            if (parts.Length != 3 || parts.Any(p => p.Length == 0))
                throw new InvalidDataException($"zone '{infra}' must be written cloud/region/zone");
            var (cloud, region, zone) = (parts[0], parts[1], parts[2]);
            var types = localCatalog.Offerings.Where(o => o.Cloud == cloud).ToList();
            if (types.Count == 0)
                throw new InvalidDataException($"zone '{infra}': the local catalog has no simulated cloud '{cloud}'");
            foreach (var type in types.GroupBy(o => o.InstanceType))
            {
                var model = type.FirstOrDefault(o => o.Region == region) ?? type.First();
                offerings.Add(model with { Region = region, Zone = zone });
            }
            zones.Add(new LocalZone(cloud, region, zone, capacity));
        }
        return new LocalMarket(zones, offerings);
    }

    private static SpotTrace LoadTrace(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"spot trace {path} not found", path);
        return SpotTraceParser.Parse(File.ReadAllText(path), Path.GetFileName(path));
    }

    /// <summary>30 simulated days of the random process in 5-minute samples (the trace loops after that), zones of a region correlated.</summary>
    private static Dictionary<string, SpotTrace> RandomCapacityFor(IReadOnlyList<LocalZoneEntry> zones, int seed)
    {
        const int gapSeconds = 300;
        const int samples = 30 * 24 * 3600 / gapSeconds;
        var set = RandomSpotCapacity.Generate(
            zones.Select(z => new RandomCapacityZone(z.Infra, z.MaxSpot, Region: z.Infra[..z.Infra.LastIndexOf('/')])),
            gapSeconds, samples, seed);
        return zones.Zip(set.Traces).ToDictionary(pair => pair.First.Infra, pair => pair.Second);
    }
}
