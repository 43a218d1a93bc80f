namespace SkyServe.Core.Catalog;

/// <summary>One accelerator candidate of a resource request, e.g. <c>L4:1</c>; SkyPilot matches the count exactly.</summary>
public sealed record AcceleratorRequest(string Name, int Count)
{
    public override string ToString() => $"{Name}:{Count}";
}
