namespace SkyServe.Core.Spec;

/// <summary>
/// One expanded candidate of a spec's resources: where (null: anywhere) and with which accelerator (null: none),
/// with the entry's other keys (instance type, cpus, memory) in <see cref="Shape"/>.
/// </summary>
public sealed record ResourceCandidate(CloudLocation? Location, AcceleratorCandidate? Accelerator, ResourcesSpec Shape)
{
    /// <summary><c>aws/us-east-1 L4:1</c>, <c>* CPU</c>: how tests and messages show it.</summary>
    public override string ToString() =>
        $"{Location?.ToInfra() ?? "*"} {Accelerator?.ToString() ?? "CPU"}"
        + (Shape.InstanceType is null ? "" : $" instance_type={Shape.InstanceType}")
        + (Shape.UseSpot ? " spot" : "");

    public bool Equals(ResourceCandidate? other) => other is not null && ToString() == other.ToString();

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}
