namespace SkyServe.Core.Spec;

/// <summary>One acceptable accelerator for a replica: a GPU type and how many of it, e.g. <c>A100:4</c>.</summary>
public sealed record AcceleratorCandidate(string Name, int Count)
{
    public override string ToString() => $"{Name}:{Count}";
}
