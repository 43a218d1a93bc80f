using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
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

    /// <summary>
    /// The versions of a service without their text, the text read (once, for the versions not parsed yet) only to parse
    /// it: a reconcile never loads spec text in the steady state.
    /// </summary>
    public async Task<Dictionary<int, ServiceVersionRecord>> LoadAsync(ControllerDb db, long serviceId, CancellationToken ct)
    {
        var versions = await db.ServiceVersions.AsNoTracking().Where(v => v.ServiceId == serviceId)
            .Select(v => new ServiceVersionRecord
            {
                Id = v.Id, ServiceId = v.ServiceId, Version = v.Version, Mode = v.Mode, SpecText = "", EffectiveSpec = "",
                MinReplicas = v.MinReplicas, MaxReplicas = v.MaxReplicas, UseSpot = v.UseSpot, SpotPlacer = v.SpotPlacer,
                LoadBalancingPolicy = v.LoadBalancingPolicy, ReplicaPort = v.ReplicaPort, ReadinessPath = v.ReadinessPath, CreatedAt = v.CreatedAt,
                Uploads = v.Uploads,
            }).ToListAsync(ct);
        var missing = versions.Where(v => !byVersionRow.ContainsKey(v.Id)).Select(v => v.Id).ToArray();
        if (missing.Length > 0)
            foreach (var row in await db.ServiceVersions.AsNoTracking().Where(v => missing.Contains(v.Id)).Select(v => new { v.Id, v.SpecText, v.Inputs }).ToListAsync(ct))
                byVersionRow.TryAdd(row.Id, ServiceSpecParser.TryParse(row.SpecText, SpecSubmission.ParseInputs(row.Inputs)));
        return versions.ToDictionary(v => v.Version);
    }

    private SpecParseResult Parse(ServiceVersionRecord version) =>
        byVersionRow.GetOrAdd(version.Id, _ => ServiceSpecParser.TryParse(version.SpecText, SpecSubmission.ParseInputs(version.Inputs)));
}
