namespace SkyServe.Core.Spec;

/// <summary>The outcome of <see cref="ServiceSpecParser.TryParse"/>: either a spec or the errors that prevent one.</summary>
public sealed record SpecParseResult(ServiceSpec? Spec, IReadOnlyList<SpecError> Errors)
{
    public bool IsValid => Spec is not null;
}
