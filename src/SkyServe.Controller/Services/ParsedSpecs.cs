using System.Collections.Concurrent;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Services;

/// <summary>
/// Parsed specs by version row. A version's text never changes once stored, so it is parsed once, not on
/// every reconcile pass and routing-table refresh. A stored text can still fail, when a later release
/// tightened the rules it was accepted under: that result is kept too, so it is reported once, not every pass.
/// </summary>
public sealed class ParsedSpecs
{
    private readonly ConcurrentDictionary<long, SpecParseResult> byVersionRow = new();

    /// <exception cref="SpecValidationException">The stored text no longer passes validation.</exception>
    public ServiceSpec Get(ServiceVersionRecord version) => TryGet(version) ?? throw new SpecValidationException(Parse(version).Errors);

    /// <summary>The spec, or null when the stored text no longer passes validation (see <see cref="Errors"/>).</summary>
    public ServiceSpec? TryGet(ServiceVersionRecord version) => Parse(version).Spec;

    public IReadOnlyList<SpecError> Errors(ServiceVersionRecord version) => Parse(version).Errors;

    private SpecParseResult Parse(ServiceVersionRecord version) =>
        byVersionRow.GetOrAdd(version.Id, _ => ServiceSpecParser.TryParse(version.SpecText));
}
