namespace SkyServe.Core.Catalog;

/// <summary>
/// What a catalog folder holds: the real clouds' offerings and, kept apart because their cloud names
/// are the same, the local runtime's simulated offerings.
/// </summary>
public sealed record CatalogSet(CloudCatalog Clouds, CloudCatalog Local);
