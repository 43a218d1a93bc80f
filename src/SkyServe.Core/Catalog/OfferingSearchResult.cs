using System.Collections.Immutable;

namespace SkyServe.Core.Catalog;

/// <summary>What <see cref="CloudCatalog.Find"/> returns: the matching offerings cheapest first, or why there are none.</summary>
public sealed record OfferingSearchResult(ImmutableArray<InstanceOffering> Offerings, string? Error)
{
    public bool Found => Error is null;

    internal static OfferingSearchResult Of(ImmutableArray<InstanceOffering> offerings) => new(offerings, null);

    internal static OfferingSearchResult NotFound(string error) => new(ImmutableArray<InstanceOffering>.Empty, error);
}
