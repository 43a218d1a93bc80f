namespace SkyServe.Core.Catalog;

/// <summary>
/// Words for an empty search, e.g. "no catalog offering has L4:8 in gcp/us-central1; L4 is offered there with
/// 1, 2 or 4 GPUs; L4:8 is offered in aws/us-east-1 and aws/us-west-2": what was asked, what the asked-for
/// places have instead, and where the asked-for configuration exists.
/// </summary>
internal static class NoMatchExplanation
{
    /// <summary>Long lists of places help nobody; the first few and a count do.</summary>
    private const int MaxPlaces = 6;

    public static string Build(
        CloudCatalog catalog,
        IReadOnlyCollection<AcceleratorRequest> candidates,
        bool useSpot,
        IReadOnlyCollection<LocationFilter> locations)
    {
        var where = locations.Count == 0 ? "anywhere" : "in " + JoinWith(locations.Select(l => l.ToString()), "or");
        var market = useSpot ? " as spot" : "";
        if (candidates.Count == 0)
            return $"no CPU-only catalog offering exists {where}{market}; {CpuDetail(catalog, useSpot, market)}";

        var wanted = JoinWith(candidates.Select(c => $"{NameOf(c)}:{c.Count}"), "or");
        var details = candidates.Select(c => Detail(catalog, c, useSpot, locations, market));
        return $"no catalog offering has {wanted} {where}{market}; {string.Join("; ", details)}";
    }

    private static string Detail(
        CloudCatalog catalog, AcceleratorRequest candidate, bool useSpot, IReadOnlyCollection<LocationFilter> locations, string market)
    {
        var name = NameOf(candidate);
        var all = catalog.WithAccelerator(name);
        if (all.IsEmpty)
        {
            return KnownAccelerators.Canonical(candidate.Name) is null
                ? $"'{candidate.Name.Trim()}' is not an accelerator the catalog knows (it has {JoinWith(catalog.AcceleratorNames, "and")})"
                : $"the catalog has no {name} offering at all";
        }

        var there = locations.Count == 0 ? "" : " there";
        var inPlace = all.Where(o => CloudCatalog.InLocations(o, locations)).ToList();
        var inMarket = useSpot ? inPlace.Where(o => o.HasSpot).ToList() : inPlace;
        var parts = new List<string>();
        if (inMarket.Count > 0)
            parts.Add($"{name} is offered{there}{market} with {GpuCounts(inMarket)}");
        else if (inPlace.Count > 0)
            parts.Add($"{name} is offered{there} only on demand");
        else
            parts.Add($"{name} is not offered{there}");
        if (inMarket.Count > 0 && inPlace.Any(o => o.AcceleratorCount == candidate.Count))
            parts.Add($"{name}:{candidate.Count} is offered{there} only on demand");

        if (locations.Count > 0)
        {
            var places = all.Where(o => o.AcceleratorCount == candidate.Count && (!useSpot || o.HasSpot))
                .Select(o => $"{o.Cloud}/{o.Region}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            parts.Add(places.Count > 0
                ? $"{name}:{candidate.Count} is offered{market} in {Places(places)}"
                : $"{name}:{candidate.Count} is not offered{market} anywhere in the catalog");
        }
        return string.Join("; ", parts);
    }

    private static string CpuDetail(CloudCatalog catalog, bool useSpot, string market)
    {
        var places = catalog.Offerings.Where(o => o.IsCpuOnly && (!useSpot || o.HasSpot))
            .Select(o => $"{o.Cloud}/{o.Region}").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return places.Count > 0
            ? $"CPU-only types are offered{market} in {Places(places)}"
            : $"the catalog has no CPU-only type{market}";
    }

    private static string NameOf(AcceleratorRequest candidate) =>
        KnownAccelerators.Canonical(candidate.Name) ?? candidate.Name.Trim();

    private static string GpuCounts(IEnumerable<InstanceOffering> offerings)
    {
        var counts = offerings.Select(o => o.AcceleratorCount).Distinct().Order().ToList();
        return $"{JoinWith(counts.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)), "or")} {(counts is [1] ? "GPU" : "GPUs")}";
    }

    private static string Places(IReadOnlyList<string> places) =>
        places.Count <= MaxPlaces
            ? JoinWith(places, "and")
            : $"{string.Join(", ", places.Take(MaxPlaces))} and {places.Count - MaxPlaces} more";

    private static string JoinWith(IEnumerable<string> items, string conjunction)
    {
        var list = items.ToList();
        return list.Count switch
        {
            0 => "nothing",
            1 => list[0],
            _ => $"{string.Join(", ", list.Take(list.Count - 1))} {conjunction} {list[^1]}",
        };
    }
}
