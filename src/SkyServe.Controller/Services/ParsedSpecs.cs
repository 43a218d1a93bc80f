using System.Collections.Concurrent;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Services;

/// <summary>
/// Parsed specs by version row. A version's text never changes once stored, so it is parsed once, not on
/// every reconcile pass and routing-table refresh.
/// </summary>
public sealed class ParsedSpecs
{
    private readonly ConcurrentDictionary<long, ServiceSpec> byVersionRow = new();

    public ServiceSpec Get(ServiceVersionRecord version) =>
        byVersionRow.GetOrAdd(version.Id, _ => ServiceSpecParser.Parse(version.SpecText));
}
